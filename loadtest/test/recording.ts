import type { StepName } from '../scenarios';
import type { Recorder, RequestSample } from '../runner/metrics';

/** A Recorder that keeps every request and check as it came, for a test to read. */
export interface Recorded extends Recorder {
  requests: RequestSample[];
  checks: Array<{ step: StepName; name: string; ok: boolean }>;
}

export function newRecord(): Recorded {
  const record: Recorded = {
    requests: [],
    checks: [],
    request: (sample) => record.requests.push(sample),
    check: (step, name, ok) => record.checks.push({ step, name, ok }),
  };
  return record;
}
