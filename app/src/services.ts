import type { Config } from './config';
import type { Database } from './db/database';
import { createUserService } from './accounts/userService';
import { createAuthService } from './auth/service';
import { createLoginThrottle, redisLimiter } from './auth/loginThrottle';
import { createTodoService } from './todos/service';
import { createTokenService } from './api/tokenService';
import type { Backends } from './backends';

/**
 * Every service the app uses, built once from the database and configuration. With Redis among the
 * backends the login-throttling counters live there, shared by every app process.
 */
export function createServices(db: Database, config: Config, backends?: Pick<Backends, 'redis' | 'redisKeyPrefix'>) {
  const loginThrottle = createLoginThrottle(backends?.redis ? redisLimiter(backends.redis, backends.redisKeyPrefix) : undefined);
  return {
    auth: createAuthService(db, loginThrottle),
    users: createUserService(db, loginThrottle),
    todos: createTodoService(db, { pageSize: config.pageSize }),
    tokens: createTokenService(db, config.salt),
  };
}

export type Services = ReturnType<typeof createServices>;
