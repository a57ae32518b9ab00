import type { Config } from './config';
import type { Database } from './db/database';
import { createUserService } from './accounts/userService';
import { createAuthService } from './auth/service';
import { createLoginThrottle } from './auth/loginThrottle';
import { createTodoService } from './todos/service';
import { createTokenService } from './api/tokenService';

/** Every service the app uses, built once from the database and configuration. */
export function createServices(db: Database, config: Config) {
  const loginThrottle = createLoginThrottle();
  return {
    auth: createAuthService(db, loginThrottle),
    users: createUserService(db, loginThrottle),
    todos: createTodoService(db, { pageSize: config.pageSize }),
    tokens: createTokenService(db, config.salt),
  };
}

export type Services = ReturnType<typeof createServices>;
