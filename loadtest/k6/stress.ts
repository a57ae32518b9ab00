// k6 run -e BASE_URL=https://todo.example.com loadtest/k6/stress.ts  (loadtest/README.md: what it is for, its settings)
import { k6Test } from './lib/test.ts';

const test = k6Test('stress');
export const { options, setup, teardown, handleSummary } = test;
export default test.iteration;
