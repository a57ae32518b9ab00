import { build, type Histogram } from 'hdr-histogram-js';

/**
 * A trend metric (k6's word: a series of durations) in an HDR histogram: percentiles to three
 * significant digits whatever the spread, in constant memory however long the run.
 */
export class Trend {
  private readonly histogram: Histogram;
  private sum = 0;

  constructor() {
    // Microseconds as whole numbers; the histogram grows for a request slower than any before.
    this.histogram = build({ bitBucketSize: 'packed', lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
  }

  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.sum += ms;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /**
   * The value at percentile `p` (0–100) in ms; 0 with no values, as k6 reports an empty trend.
   * The histogram answers with the top of the value's bucket, which can lie above the largest value
   * recorded (or below the smallest): within [min, max], so a p95 is never over the max beside it.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    return Math.min(this.max, Math.max(this.min, this.histogram.getValueAtPercentile(p) / 1000));
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  get min(): number {
    return this.count === 0 ? 0 : this.histogram.minNonZeroValue / 1000;
  }

  get max(): number {
    return this.count === 0 ? 0 : this.histogram.maxValue / 1000;
  }
}
