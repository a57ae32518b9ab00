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
  /** The other worker processes of this host, with WEB_CONCURRENCY > 1. */
  siblings?: Siblings;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Connect to REDIS_URL when it is set. */
  withRedis: boolean;
  siblings?: Siblings;
  /** Keep exemplars (trace ids) on the latency histogram: tracing is on. */
  exemplars?: boolean;
}

/** Builds the backends; with Redis, waits (briefly) for its connection. */
export async function openBackends(config: Config, db: Database, logger: Logger, { withRedis, siblings, exemplars }: BackendOptions): Promise<Backends> {
  const metrics = createMetrics({ exemplars });
  instrumentDatabase(metrics, db.sequelize);
  const probes: Partial<Record<Dependency, DependencyProbe>> = { database: () => db.sequelize.query('SELECT 1', { type: QueryTypes.SELECT }) };
  let redis: RedisClient | undefined;
  const dependencies = createDependencyMonitor({ logger, metrics, probes });
  if (withRedis && config.redisUrl) {
    const client = createRedisClient(config.redisUrl, dependencies);
    probes.redis = () => client.ping();
    await connectRedis(client);
    redis = client;
  }
  return {
    metrics,
    dependencies,
    redis,
    siblings,
    async close() {
      dependencies.close();
      if (redis) await closeRedis(redis);
    },
  };
}

