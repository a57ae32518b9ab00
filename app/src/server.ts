import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config';
import { startTracingWhenConfigured } from './tracing';

/**
 * config -> tracing -> the app. Tracing patches the modules it traces as they are first required,
 * so the app's own modules are loaded only once it has started.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // The primary of a cluster answers no request: each worker traces its own.
  const tracing = cluster.isWorker || config.webConcurrency === 1 ? startTracingWhenConfigured(config) : undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runTodoBox } = require('./process') as typeof import('./process');
  await runTodoBox(config, tracing);
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`TodoBox failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
