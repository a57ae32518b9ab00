import { Metrics } from '../runner/metrics';
import { runArrivalRate, type ExecutionControl, type Iteration } from '../runner/executors';
import { runnerClient } from '../runner/httpClient';
import { Trend } from '../runner/trend';
import { freezingServer, slowServer, type ToyServer } from './toyServers';

/**
 * The runner as an open model: arrivals on schedule whatever the server does, latency from the
 * scheduled start, a cap on iterations in flight. Only relations that hold on a slow or busy
 * machine are asserted: no wall-clock time, rate or tight margin.
 */

const PERIOD_MS = 3_000;
const FREEZE_MS = 1_000;
const RUN_SECONDS = 6;

const control = (): ExecutionControl => ({ stop: new AbortController().signal, interrupt: new AbortController(), gracefulStopMs: 10_000 });

/** Each iteration one GET of `url`, measured by the runner's client. */
function oneRequest(url: string, metrics: Metrics): Iteration {
  return async (_index, scheduledAt) => {
    await runnerClient({ baseUrl: url, recorder: metrics, scheduledAt }).request('dashboard', 'GET', '/');
  };
}

function trendOf(metrics: Metrics): Trend {
  const sink = metrics.sink('http_req_duration');
  if (sink.kind !== 'trend') throw new Error('http_req_duration is a trend');
  return sink.trend;
}

/** The closed loop the runner must not be: `workers` loops, each sending when the last answered, timed from the send. */
async function closedLoop(url: string, workers: number, seconds: number): Promise<{ trend: Trend; slow: number }> {
  const trend = new Trend();
  let slow = 0;
  const metrics = new Metrics();
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = runnerClient({ baseUrl: url, recorder: metrics });
      while (performance.now() < end) {
        const sent = performance.now();
        await client.request('dashboard', 'GET', '/');
        const ms = performance.now() - sent;
        trend.record(ms);
        if (ms >= FREEZE_MS / 2) slow++;
      }
    }),
  );
  return { trend, slow };
}

describe('the open model', () => {
  let server: ToyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('shows a server that freezes for 1 s every 3 s in its p99, where a closed loop on the same server hides it', async () => {
    server = await freezingServer(PERIOD_MS, FREEZE_MS);
    const metrics = new Metrics();
    metrics.startLoad();
    await runArrivalRate({ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: `${RUN_SECONDS}s`, preAllocatedVUs: 10, maxVUs: 500 }, oneRequest(server.url, metrics), metrics, control());
    const open = trendOf(metrics);
    expect(metrics.sink('dropped_iterations')).toEqual({ kind: 'counter', count: 0 });
    expect(open.count).toBe(50 * RUN_SECONDS);

    const workers = 4;
    const closed = await closedLoop(server.url, workers, RUN_SECONDS);

    // A third of the open model's arrivals fall in a freeze, waiting up to its end: the p99 is most of the freeze.
    expect(open.percentile(99)).toBeGreaterThanOrEqual(FREEZE_MS / 2);
    // The closed loop has at most one request per worker waiting out each freeze, however fast or slow the machine...
    const freezes = Math.ceil((RUN_SECONDS * 1000) / PERIOD_MS) + 1;
    expect(closed.slow).toBeLessThanOrEqual(workers * freezes);
    // ...and its thousands of quick answers around them bury those few below its p99.
    expect(closed.trend.count).toBeGreaterThan(100 * workers * freezes);
    expect(closed.trend.percentile(99) * 4).toBeLessThan(open.percentile(99));
  }, 60_000);

  it("counts from the scheduled start: iterations due while the runner's own event loop was blocked carry the wait", async () => {
    server = await slowServer(0);
    const metrics = new Metrics();
    metrics.startLoad();
    const blockMs = 400;
    // A synchronous stall of the runner itself (as a long GC pause would be), 500 ms into the load.
    const stall = setTimeout(() => {
      const until = performance.now() + blockMs;
      while (performance.now() < until);
    }, 500);
    await runArrivalRate({ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '2s', preAllocatedVUs: 10, maxVUs: 500 }, oneRequest(server.url, metrics), metrics, control());
    clearTimeout(stall);
    // The iteration due just after the stall began was sent only after it: its latency includes nearly all of it.
    expect(trendOf(metrics).max).toBeGreaterThanOrEqual(blockMs - 100);
    expect(trendOf(metrics).count).toBe(100);
  }, 30_000);

  it('drops and counts the iterations due while maxVUs are in flight, and never has more in flight', async () => {
    server = await slowServer(300);
    const metrics = new Metrics();
    metrics.startLoad();
    await runArrivalRate({ executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 1 }, oneRequest(server.url, metrics), metrics, control());
    const dropped = (metrics.sink('dropped_iterations') as { count: number }).count;
    const completed = (metrics.sink('iterations') as { count: number }).count;
    expect(server.maxInFlight()).toBe(1);
    expect(completed + dropped).toBe(20);
    // Each iteration holds the one VU for at least the server's 300 ms, so at most 4 of the 20 start within the second.
    expect(completed).toBeGreaterThanOrEqual(1);
    expect(completed).toBeLessThanOrEqual(4);
  }, 30_000);

  it('knows when it is itself the bottleneck: iterations that block its event loop make it start the next ones late, and it says by how much', async () => {
    const metrics = new Metrics();
    metrics.startLoad();
    // Each iteration holds the runner's own thread for 5 ms: at most 200 start a second, against 1000 due.
    const blocking: Iteration = async () => {
      const until = performance.now() + 5;
      while (performance.now() < until);
    };
    await runArrivalRate({ executor: 'constant-arrival-rate', rate: 1000, timeUnit: '1s', duration: '1s', preAllocatedVUs: 10, maxVUs: 5000 }, blocking, metrics, control());
    expect((metrics.sink('iterations') as { count: number }).count).toBe(1000);
    // 1000 × 5 ms of work in a 1 s schedule: the last starts at least 4 s late, however fast the machine.
    expect(metrics.startLagMs()).toBeGreaterThan(3_900);
    expect(metrics.interruptedIterations()).toBe(0);
  }, 30_000);
});
