import { randomBytes } from 'node:crypto';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createClient } from 'redis';

export const ENGINES = ['sqlite', 'mariadb-redis'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface EngineSettings {
  /** mysql://user:password@host:port of a server where the user may create `todobox_bench_*` databases. */
  mysqlUrl: string;
  redisUrl: string;
}

export interface BenchEngine {
  name: EngineName;
  /** What the app runs on, for the report. */
  description: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export type PreparedEngine = BenchEngine | { name: EngineName; unavailable: string };

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  mysqlUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://todobox:todobox@127.0.0.1:3306',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

function runId(): string {
  return `${process.pid}_${randomBytes(3).toString('hex')}`;
}

async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const batch = Array.isArray(keys) ? keys : [keys];
      if (batch.length) await client.del(batch);
    }
  } finally {
    await client.quit();
  }
}

async function prepareMariaDbAndRedis(settings: EngineSettings): Promise<PreparedEngine> {
  const server = new URL(settings.mysqlUrl);
  const database = `todobox_bench_${runId()}`;
  let admin: mysql.Connection;
  try {
    admin = await mysql.createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    });
  } catch (error) {
    return { name: 'mariadb-redis', unavailable: `MariaDB at ${server.host} (user ${server.username}): ${(error as Error).message}` };
  }
  try {
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } catch (error) {
    await admin.end();
    return {
      name: 'mariadb-redis',
      unavailable: `MariaDB user ${server.username} may not create ${database} (grant it todobox_bench_%): ${(error as Error).message}`,
    };
  }
  await admin.end();
  const dropDatabase = async () => {
    const connection = await mysql.createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    });
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``).finally(() => connection.end());
  };
  const keyPrefix = `todobox-bench-${runId()}:`;
  try {
    const probe = createClient({ url: settings.redisUrl });
    await probe.connect();
    await probe.quit();
  } catch (error) {
    await dropDatabase();
    return { name: 'mariadb-redis', unavailable: `Redis at ${settings.redisUrl}: ${(error as Error).message}` };
  }
  return {
    name: 'mariadb-redis',
    description: `MariaDB ${server.host}/${database}, sessions in Redis`,
    env: {
      DATABASE_DEFAULT: 'mysql',
      DB_URL: server.hostname,
      DB_PORT: server.port || '3306',
      DB_USER: decodeURIComponent(server.username),
      DB_PW: decodeURIComponent(server.password),
      DB_NAME: database,
      REDIS_URL: settings.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
    },
    async cleanup() {
      await dropDatabase();
      await removeRedisKeys(settings.redisUrl, keyPrefix);
    },
  };
}

/** A fresh database for one engine of the run (and, with MariaDB, a Redis key prefix of its own). */
export async function prepareEngine(name: EngineName, dir: string, settings: EngineSettings): Promise<PreparedEngine> {
  if (name === 'mariadb-redis') return prepareMariaDbAndRedis(settings);
  return {
    name,
    description: 'SQLite, sessions in the database',
    env: { DATABASE_DEFAULT: 'sqlite', DATABASE_NAME: path.join(dir, 'todobox.db') },
    cleanup: async () => undefined,
  };
}
