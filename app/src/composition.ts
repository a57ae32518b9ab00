import type { Express } from 'express';
import type session from 'express-session';
import type { Registry, RegistryContentType } from 'prom-client';
import type { Config } from './config';
import { createDatabase, Database } from './db';
import type { Logger, MetricsSource } from './observability';
import type { ActiveTraceIds } from './tracing';
import type { Siblings } from './cache';
import { databaseSessionStore, redisSessionStore } from './auth';
import { Backends, openBackends } from './backends';
import { createServices, Services } from './services';
import { createApp } from './app';

/**
 * The one place TodoBox is put together: configuration → database → backends → services → app.
 * The server, the todobox command and the tests all build it here, each with its own overrides,
 * so a new dependency is added once.
 */
export interface Core {
  config: Config;
  logger: Logger;
  db: Database;
  backends: Backends;
  services: Services;
  /** Closes the backends and the database (unless the database was given). */
  close(): Promise<void>;
}

export interface Assembly extends Core {
  app: Express;
}

export interface CoreOptions {
  logger: Logger;
  /** An open database to build on; its owner closes it. Otherwise one is opened from the configuration. */
  db?: Database;
  /** Build on the database alone even when REDIS_URL is set (the todobox command changes no Redis state). */
  withoutRedis?: boolean;
  /** The other worker processes of this host, with WEB_CONCURRENCY > 1. */
  siblings?: Siblings;
  /** With tracing on: the active span, whose trace the latency histogram keeps as exemplars. */
  activeTraceIds?: ActiveTraceIds;
}

export interface AppOptions extends CoreOptions {
  /** Where sessions live, when not where the backends say (Redis, or else the database). */
  sessionStore?: session.Store;
  /** What /metrics serves, from this process's registry: the registry itself unless given. */
  metricsSource?: (registry: Registry<RegistryContentType>) => MetricsSource;
}

/** The database, backends and services, without an HTTP app: what the todobox command needs. */
export async function openCore(config: Config, options: CoreOptions): Promise<Core> {
  const { logger } = options;
  const db = options.db ?? (await createDatabase(config.database, logger));
  const closeDatabase = () => (options.db ? Promise.resolve() : db.close());
  let backends: Backends;
  try {
    backends = await openBackends(config, db, logger, {
      withRedis: !options.withoutRedis,
      siblings: options.siblings,
      exemplars: options.activeTraceIds !== undefined,
    });
  } catch (error) {
    await closeDatabase();
    throw error;
  }
  return {
    config,
    logger,
    db,
    backends,
    services: createServices(db, config, backends),
    async close() {
      try {
        await backends.close();
      } finally {
        await closeDatabase();
      }
    },
  };
}

/** Everything, up to the HTTP app. */
export async function openApp(config: Config, options: AppOptions): Promise<Assembly> {
  const core = await openCore(config, options);
  const { db, backends } = core;
  const sessionStore = options.sessionStore ?? (backends.redis ? redisSessionStore(backends.redis, config) : databaseSessionStore(db, config));
  const app = createApp({
    ...core,
    sessionStore,
    metricsSource: options.metricsSource?.(backends.metrics.registry),
    activeTraceIds: options.activeTraceIds,
  });
  return { ...core, app };
}
