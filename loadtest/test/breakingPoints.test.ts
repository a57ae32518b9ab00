import { Metrics } from '../runner/metrics';
import { breakingPoints } from '../runner/breakingPoints';

describe('where a run broke, second by second', () => {
  it('names the first second from which each target stayed missed, and the arrivals scheduled then; a single bad second is not it', () => {
    let now = 0;
    const metrics = new Metrics(() => now);
    metrics.startLoad();
    for (let second = 0; second < 12; second++) {
      now = second * 1000;
      for (let index = 0; index < second + 1; index++) metrics.iterationStarted();
      // Second 2 alone is slow; from second 6 on every second is.
      const ms = second === 2 || second >= 6 ? 400 : 20;
      for (let index = 0; index < 20; index++) metrics.request({ step: 'dashboard', method: 'GET', path: '/', status: second >= 9 ? 503 : 200, durationMs: ms });
      if (second >= 10) metrics.iterationDropped();
    }
    expect(breakingPoints(metrics)).toEqual([
      { target: 'p95 < 200 ms', second: 6, scheduledPerSecond: 7, measured: expect.stringMatching(/^p95 40\d ms$/) },
      { target: 'failed requests < 0.1 %', second: 9, scheduledPerSecond: 10, measured: '20 of 20 requests failed' },
    ]);
  });
});
