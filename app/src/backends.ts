import { QueryTypes } from 'sequelize';
import type { Config } from './config';
import type { Database } from './db';
import type { Dependency, Logger } from './observability';
import { createDependencyMonitor, createMetrics, DependencyMonitor, DependencyProbe, instrumentDatabase, Metrics } from './observability';
import { closeRedis, connectRedis, createRedisClient, RedisClient } from './redis';
import type { Siblings } from './cache';

/** What the app runs on besides its database: Redis (when REDIS_URL is set), metrics, outage tracking. */
export interface Backends {
  metrics: Metrics;
  dependencies: DependencyMonitor;
  redis?: RedisClient;
  /** Prefix of every Redis key this deployment writes (sessions, throttle counters). */
  redisKeyPrefix: string;
  /** The other worker processes of this host, with WEB_CONCURRENCY > 1. */
  siblings?: Siblings;
  close(): Promise<void>;
}

/** Builds the backends; with REDIS_URL, waits (briefly) for the Redis connection. */
export async function openBackends(config: Config, db: Database, logger: Logger, siblings?: Siblings): Promise<Backends> {
  const metrics = createMetrics();
  instrumentDatabase(metrics, db.sequelize);
  const probes: Partial<Record<Dependency, DependencyProbe>> = { database: () => db.sequelize.query('SELECT 1', { type: QueryTypes.SELECT }) };
  let redis: RedisClient | undefined;
  const dependencies = createDependencyMonitor({ logger, metrics, probes });
  if (config.redisUrl) {
    const client = createRedisClient(config.redisUrl, dependencies);
    probes.redis = () => client.ping();
    await connectRedis(client);
    redis = client;
  }
  return {
    metrics,
    dependencies,
    redis,
    redisKeyPrefix: config.redisKeyPrefix,
    siblings,
    async close() {
      dependencies.close();
      if (redis) await closeRedis(redis);
    },
  };
}

/** Backends without Redis, built synchronously: the default of an app given none. */
export function databaseOnlyBackends(db: Database, logger: Logger, redisKeyPrefix: string): Backends {
  const metrics = createMetrics();
  instrumentDatabase(metrics, db.sequelize);
  const dependencies = createDependencyMonitor({ logger, metrics, probes: { database: () => db.sequelize.query('SELECT 1', { type: QueryTypes.SELECT }) } });
  return { metrics, dependencies, redisKeyPrefix, close: async () => dependencies.close() };
}
