import { spawnSync } from 'node:child_process';
import type { LoadRequest } from './cases';

export interface LoadRun {
  url: string;
  /** Sent in this order, over again, for the whole run. */
  requests: LoadRequest[];
  connections: number;
  seconds: number;
}

export interface LoadFigures {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Every byte received, headers included. */
  bytes: number;
  /** Answers of 400 or above. */
  statusErrors: number;
  /** Connections refused or broken, and requests that timed out. */
  socketErrors: number;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  run(run: LoadRun): Promise<LoadFigures>;
}

export const LOAD_GENERATORS = ['wrk', 'autocannon'] as const;
export type LoadGeneratorName = (typeof LOAD_GENERATORS)[number];

export function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Seconds a single request may take before the generators count it as timed out. */
export const REQUEST_TIMEOUT_SECONDS = 10;
