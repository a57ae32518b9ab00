import exec from 'k6/execution';
import { prepareLoadData, removeLoadData, runIteration, testPlan, type LoadData, type TestType } from '../../scenarios/index.ts';
import { k6Client } from './client.ts';
import { summaryOutputs, type K6SummaryData } from './summary.ts';

/**
 * A k6 script's exports for a test type, all from the shared scenarios: its options (scenarios
 * and thresholds), setup and teardown of the load users, the iteration (the journey the mix gives
 * this iteration's number, with a cookie jar of its own) and handleSummary. k6 awaits a Promise
 * that setup, teardown or the default function returns (every one runs through the same runFn,
 * which unwraps it: internal/js/runner.go; async setup is documented since v0.44, grafana/k6#2985),
 * and hands what setup's resolves to on to the iterations and teardown.
 */
export function k6Test(type: TestType) {
  const plan = testPlan(type, __ENV);
  const newClient = () => k6Client(plan.settings.baseUrl);
  return {
    options: plan.options,
    setup: (): Promise<LoadData> => prepareLoadData(newClient, plan.settings, plan.profile),
    teardown: (data: LoadData): Promise<void> => removeLoadData(newClient, plan.settings, data),
    iteration: async (data: LoadData): Promise<void> => {
      await runIteration(newClient(), exec.scenario.iterationInTest, data);
    },
    handleSummary: (data: K6SummaryData): Record<string, string> => summaryOutputs(data, plan),
  };
}
