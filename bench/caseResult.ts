import type { Measured } from './measure';
import type { Spread } from './stats';

/** What one case measured on one configuration: each round, and their summary. */
export interface RoundFigures {
  round: number;
  app: Measured;
  ceiling: Measured;
}

export interface SummaryFigures {
  requestsPerSecond: Spread;
  latencyMs: { p50: number; p95: number; p99: number };
  cpuMsPerRequest: number;
  peakRssMb: number;
}

export interface CaseResult {
  config: string;
  case: string;
  title: string;
  connections: number;
  rounds: RoundFigures[];
  app: SummaryFigures;
  ceiling: SummaryFigures;
  /** App requests per second over the ceiling's (medians), and the spread of each round's ratio. */
  ratio: Spread;
}
