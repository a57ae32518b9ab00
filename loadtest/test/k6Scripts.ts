import path from 'node:path';
import type { TestOptions, TestType } from '../scenarios';

/** What a k6 script of loadtest/k6 exports. */
export interface K6Script {
  options: TestOptions;
  setup: () => Promise<unknown>;
  teardown: (data: unknown) => Promise<void>;
  default: (data: unknown) => Promise<void>;
  handleSummary: (data: unknown) => Record<string, string>;
}

export const K6_DIR = path.resolve(__dirname, '../k6');

/**
 * Loads loadtest/k6/<type>.ts afresh as k6 would with this environment in __ENV (the test file
 * stubs the k6 modules). Required by path, so the root type check leaves the k6 scripts to their
 * own tsconfig, which has k6's types and no Node's.
 */
export function loadK6Script(type: TestType, env: Record<string, string>): K6Script {
  let script: K6Script | undefined;
  (globalThis as { __ENV?: Record<string, string> }).__ENV = env;
  jest.isolateModules(() => {
    script = jest.requireActual<K6Script>(path.join(K6_DIR, `${type}.ts`));
  });
  return script as K6Script;
}
