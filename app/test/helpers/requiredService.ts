import { spawnSync } from 'node:child_process';

const inCi = process.env.CI === 'true';

/**
 * Runs a synchronous probe for an external service a suite needs. When the service is missing the
 * suite is skipped with a message naming it, except with CI=true, where a missing service fails the run.
 */
export function describeWithService(service: string, available: boolean, name: string, body: () => void): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (inCi) {
    describe(name, () => {
      it(`needs ${service}`, () => {
        throw new Error(`${service} is not available, and CI=true requires it`);
      });
    });
    return;
  }
  process.stderr.write(`Skipping "${name}": ${service} is not available on this machine\n`);
  describe.skip(name, body);
}

/** True when a small Node script (given as source) exits 0 within the timeout. */
export function probe(source: string, timeoutMs = 8000): boolean {
  const result = spawnSync(process.execPath, ['-e', source], { timeout: timeoutMs, stdio: 'ignore' });
  return result.status === 0;
}

export const MARIADB_ENV = {
  DATABASE_DEFAULT: 'mysql',
  DB_URL: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
  DB_PORT: process.env.TEST_MYSQL_PORT ?? '3306',
  DB_USER: process.env.TEST_MYSQL_USER ?? 'todobox',
  DB_PW: process.env.TEST_MYSQL_PASSWORD ?? 'todobox',
  DB_NAME: process.env.TEST_MYSQL_DATABASE ?? 'todobox_test',
};

export const POSTGRES_ENV = {
  DATABASE_DEFAULT: 'postgres',
  DB_URL: process.env.TEST_POSTGRES_HOST ?? '127.0.0.1',
  DB_PORT: process.env.TEST_POSTGRES_PORT ?? '5432',
  DB_USER: process.env.TEST_POSTGRES_USER ?? 'todobox',
  DB_PW: process.env.TEST_POSTGRES_PASSWORD ?? 'todobox',
  DB_NAME: process.env.TEST_POSTGRES_DATABASE ?? 'todobox_test',
};

export function mariaDbAvailable(): boolean {
  const e = MARIADB_ENV;
  return probe(
    `require('mysql2/promise').createConnection({host:${JSON.stringify(e.DB_URL)},port:${e.DB_PORT},user:${JSON.stringify(e.DB_USER)},password:${JSON.stringify(e.DB_PW)},database:${JSON.stringify(e.DB_NAME)}}).then(c=>c.end()).catch(()=>process.exit(1))`,
  );
}

export function postgresAvailable(): boolean {
  const e = POSTGRES_ENV;
  return probe(
    `const {Client}=require('pg');const c=new Client({host:${JSON.stringify(e.DB_URL)},port:${e.DB_PORT},user:${JSON.stringify(e.DB_USER)},password:${JSON.stringify(e.DB_PW)},database:${JSON.stringify(e.DB_NAME)}});c.connect().then(()=>c.end()).catch(()=>process.exit(1))`,
  );
}

export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function redisAvailable(): boolean {
  return probe(
    `const c=require('redis').createClient({url:${JSON.stringify(REDIS_TEST_URL)},socket:{reconnectStrategy:false,connectTimeout:3000}});c.on('error',()=>{});c.connect().then(()=>c.ping()).then(()=>c.close()).catch(()=>process.exit(1))`,
  );
}

/** A key prefix of its own for one test run, so tests sharing the machine's Redis never collide. */
export function uniqueRedisKeyPrefix(): string {
  return `todobox-test:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`;
}
