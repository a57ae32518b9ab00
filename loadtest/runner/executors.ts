import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { durationSeconds, type SharedIterationsProfile } from '../scenarios';
import type { Metrics } from './metrics';
import { arrivalOffsets, type ArrivalRateProfile } from './schedule';

/**
 * k6's executors for the runner: arrival rates as an open model, shared iterations as a closed one.
 * An iteration is told when it was due (performance.now()), or nothing in the closed model, where
 * an iteration starts when a VU is free by definition.
 */
export type Iteration = (index: number, scheduledAt: number | undefined) => Promise<void>;

/** What k6 gives in-flight iterations after the last start before it interrupts them (gracefulStop). */
export const GRACEFUL_STOP_MS = 30_000;

export interface ExecutionControl {
  /** Aborted to stop the load at once (a threshold's abortOnFail, Ctrl+C): nothing more starts, what runs is interrupted. */
  stop: AbortSignal;
  /** The executor aborts it to interrupt the iterations in flight: their requests end at once. */
  interrupt: AbortController;
  gracefulStopMs?: number;
}

const pause = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined);

/** Waits for `running` until they end, the graceful stop passes or the stop is called; then interrupts what is left. */
async function drain(running: Iterable<Promise<void>>, control: ExecutionControl, graceMs: number): Promise<void> {
  const rest = Promise.all(running).then(() => undefined);
  if (!control.stop.aborted) {
    const timer = new AbortController();
    await Promise.race([rest, pause(graceMs, AbortSignal.any([control.stop, timer.signal]))]);
    timer.abort();
  }
  control.interrupt.abort();
  await rest;
}

function counted(metrics: Metrics, control: ExecutionControl, run: Promise<void>): Promise<void> {
  return run.then(
    () => {
      if (!control.interrupt.signal.aborted) metrics.iterationCompleted();
    },
    () => undefined,
  );
}

/**
 * constant-arrival-rate and ramping-arrival-rate: iteration i starts when the schedule says,
 * whether or not earlier ones have answered. With maxVUs iterations in flight, one that is due is
 * not started but counted in dropped_iterations, as k6 does when it has no VU left.
 */
export async function runArrivalRate(profile: ArrivalRateProfile, iterate: Iteration, metrics: Metrics, control: ExecutionControl): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let started = 0;
  for (const offset of arrivalOffsets(profile)) {
    const due = start + offset;
    const wait = due - performance.now();
    // An overdue iteration still waits its turn behind the answers already in: a loop that never
    // yields would start thousands at once and read none of their responses.
    if (wait > 0) await pause(wait, control.stop);
    else await yieldToEventLoop();
    if (control.stop.aborted) break;
    if (inFlight.size >= profile.maxVUs) {
      metrics.iterationDropped();
      continue;
    }
    metrics.iterationStarted(performance.now() - due);
    const run: Promise<void> = counted(metrics, control, iterate(started++, due)).finally(() => inFlight.delete(run));
    inFlight.add(run);
  }
  await drain(inFlight, control, control.gracefulStopMs ?? GRACEFUL_STOP_MS);
}

/** shared-iterations: `vus` loops take the iterations in turn until all ran or maxDuration passed. */
export async function runSharedIterations(profile: SharedIterationsProfile, iterate: Iteration, metrics: Metrics, control: ExecutionControl): Promise<void> {
  const deadline = performance.now() + durationSeconds(profile.maxDuration) * 1000;
  let next = 0;
  const vu = async () => {
    while (next < profile.iterations && performance.now() < deadline && !control.stop.aborted) {
      metrics.iterationStarted();
      await counted(metrics, control, iterate(next++, undefined));
    }
  };
  // The loops take nothing new after the deadline; what is still running then gets the graceful stop.
  const vus = Array.from({ length: profile.vus }, vu);
  await drain(vus, control, Math.max(0, deadline - performance.now()) + (control.gracefulStopMs ?? GRACEFUL_STOP_MS));
}
