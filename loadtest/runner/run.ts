import { setMaxListeners } from 'node:events';
import { Agent } from 'undici';
import { GENERATOR_LAG_LIMIT_MS, prepareLoadData, removeLoadData, runIteration, type LoadSummary, type TestPlan } from '../scenarios';
import { runArrivalRate, runSharedIterations, type ExecutionControl, type Iteration } from './executors';
import { runnerClient } from './httpClient';
import { Metrics } from './metrics';
import { progressDisplay } from './progress';
import { runSummary } from './runSummary';
import { abortingThreshold, assertJudgeable, judgeThresholds, type JudgedThreshold } from './thresholdCheck';

export interface RunOptions {
  /** Aborted to stop the load early (Ctrl+C, SIGTERM), with the reason as its reason: teardown and the summary still follow. */
  stop?: AbortSignal;
  /** Lines about what the run is doing (setup, teardown, an abort). */
  log?: (line: string) => void;
}

export interface RunResult {
  summary: LoadSummary;
  metrics: Metrics;
  /** Why teardown() failed, leaving load users behind; the summary of the load stands all the same. */
  teardownError?: Error;
}

/** How often abortOnFail thresholds are judged while the load runs (k6: every 2 s). */
const ABORT_CHECK_MS = 2_000;

/** The most iterations a profile has in flight at once: the connections the runner may need. */
function concurrency(plan: TestPlan): number {
  return plan.profile.executor === 'shared-iterations' ? plan.profile.vus : plan.profile.maxVUs;
}

/**
 * A whole test as k6 runs a script: setup() makes the load users, the profile's executor drives
 * the mix's iterations, abortOnFail thresholds may cut the load short, teardown() removes the
 * users, and the thresholds are judged on everything measured, setup's and teardown's requests
 * included as in k6.
 */
export async function runLoadTest(plan: TestPlan, options: RunOptions = {}): Promise<RunResult> {
  const log = options.log ?? (() => undefined);
  const metrics = new Metrics();
  assertJudgeable(plan.options.thresholds, metrics);
  const startedAt = performance.now();
  // One connection per iteration in flight, as each k6 VU has its own: no request waits in the runner for a socket.
  const dispatcher = new Agent({ connections: concurrency(plan) + 1 });
  const { baseUrl } = plan.settings;
  const newClient = () => runnerClient({ baseUrl, recorder: metrics, dispatcher });
  try {
    log(`setup: preparing the load users at ${baseUrl}`);
    const data = await prepareLoadData(newClient, plan.settings, plan.profile);

    const stop = new AbortController();
    const onStop = () => stop.abort();
    options.stop?.addEventListener('abort', onStop);
    const control: ExecutionControl = { stop: stop.signal, interrupt: new AbortController() };
    // Every request in flight listens on it: hundreds at once is the design, not a leak.
    setMaxListeners(0, control.interrupt.signal);
    let abortedBy: JudgedThreshold | undefined;
    const progress = progressDisplay(plan.profile);
    let lastAbortCheck = 0;
    const ticker = setInterval(() => {
      progress.update(metrics);
      if (metrics.loadElapsedMs() - lastAbortCheck < ABORT_CHECK_MS || stop.signal.aborted) return;
      lastAbortCheck = metrics.loadElapsedMs();
      abortedBy = abortingThreshold(plan.options.thresholds, metrics);
      if (abortedBy) stop.abort();
    }, 1_000);

    const iterate: Iteration = async (index, scheduledAt) => {
      await runIteration(runnerClient({ baseUrl, recorder: metrics, dispatcher, signal: control.interrupt.signal, scheduledAt }), index, data);
    };
    metrics.startLoad();
    try {
      if (plan.profile.executor === 'shared-iterations') await runSharedIterations(plan.profile, iterate, metrics, control);
      else await runArrivalRate(plan.profile, iterate, metrics, control);
    } finally {
      clearInterval(ticker);
      progress.update(metrics);
      progress.stop();
      options.stop?.removeEventListener('abort', onStop);
    }
    const stoppedAfter = `${(metrics.loadElapsedMs() / 1000).toFixed(0)} s of load`;
    const stoppedEarly = abortedBy
      ? `${abortedBy.metric} ${abortedBy.threshold} failed (abortOnFail) after ${stoppedAfter}`
      : options.stop?.aborted
        ? `${String(options.stop.reason ?? 'stopped')} after ${stoppedAfter}`
        : undefined;
    if (stoppedEarly) log(`stopped: ${stoppedEarly}`);
    if (metrics.startLagMs() > GENERATOR_LAG_LIMIT_MS) {
      log(`the runner started iterations up to ${(metrics.startLagMs() / 1000).toFixed(1)} s late: it could not keep up with this rate, so the latencies measure it, not the deployment (lower the rate, or share it among several runners)`);
    }

    log('teardown: removing the load users');
    // A server still busy with the load (its login throttle full) may refuse teardown: what was measured stays worth reporting.
    const teardownError = await removeLoadData(newClient, plan.settings, data).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const thresholds = judgeThresholds(plan.options.thresholds, metrics).map(({ metric, threshold, ok }) => ({ metric, threshold, ok }));
    return { summary: runSummary(plan, metrics, thresholds, performance.now() - startedAt, stoppedEarly), metrics, teardownError };
  } finally {
    await dispatcher.close();
  }
}
