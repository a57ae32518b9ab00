import type { Config } from './config';
import type { Database } from './db';
import { createUserService } from './accounts';
import { createAuthService, createLoginThrottle, createUserRecords, redisLimiter } from './auth';
import { createTodoService } from './todos';
import { createTokenService } from './tokens';
import { chooseCaching } from './cache';
import type { Backends } from './backends';

/** Users kept in memory per process, and how long a copy may serve before it is read again. */
const CACHED_USERS = 10_000;
const CACHED_USER_TTL_MS = 5_000;

/**
 * Every service the app uses, built once from the database and configuration. With Redis among the
 * backends the login-throttling counters and the users' versions live there, shared by every app
 * process; `caching` says what the app may keep in memory.
 */
export function createServices(db: Database, config: Config, backends?: Pick<Backends, 'redis' | 'siblings'>) {
  const loginThrottle = createLoginThrottle(backends?.redis ? redisLimiter(backends.redis, config.redisKeyPrefix) : undefined, config.loginThrottleExempt);
  const caching = chooseCaching(config, db, backends?.redis, backends?.siblings);
  const userRecords = createUserRecords(db, { versions: caching.versions, maxUsers: CACHED_USERS, ttlMs: CACHED_USER_TTL_MS });
  return {
    caching,
    auth: createAuthService(db, loginThrottle, userRecords),
    users: createUserService(db, loginThrottle, caching.versions, { setupTokenSecret: config.isProduction ? config.secretKey : undefined }),
    todos: createTodoService(db, { pageSize: config.pageSize, versions: caching.versions }),
    tokens: createTokenService(db, config.salt, userRecords),
  };
}

export type Services = ReturnType<typeof createServices>;
