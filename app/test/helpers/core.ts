import { loadConfig } from '../../src/config';
import { Core, openCore } from '../../src/composition';
import { createLogger } from '../../src/observability/logger';

/**
 * Runs `work` on the database, backends and services that `env` configures, built as the todobox
 * command builds them (on the database alone), and closes them after.
 */
export async function withCore<T>(env: Record<string, string>, work: (core: Core) => Promise<T>): Promise<T> {
  const config = loadConfig(env, { readDotenv: false });
  const core = await openCore(config, { logger: createLogger({ level: 'error', silent: true }), withoutRedis: true });
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}
