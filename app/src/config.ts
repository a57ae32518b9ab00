import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';

import { parseS3Url, type S3Location } from './shared';
import { DEFAULT_DB_POOL_MAX, DEFAULT_PORT, DEFAULT_SALT, DEFAULT_SECRET_KEY, EnvironmentKey, SECRET_MINIMUM_LENGTHS } from './environment';

export { DEFAULT_SALT, DEFAULT_SECRET_KEY } from './environment';
const { SECRET_KEY: MIN_SECRET_LENGTH, SALT: MIN_SALT_LENGTH, METRICS_TOKEN: MIN_METRICS_TOKEN_LENGTH } = SECRET_MINIMUM_LENGTHS;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', '1', 'yes'].includes(value));

const port = z.coerce.number().int().min(1).max(65535);

const s3Url = z.string().transform((value, context): S3Location => {
  const parsed = parseS3Url(value);
  if ('problem' in parsed) {
    context.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return parsed;
});

/** The proxies whose X-Forwarded-For entries are believed; see TRUST_PROXY in the README. */
export type TrustedProxies = boolean | number | string[];

const TRUST_PROXY_FORMS = 'true, false, a hop count (1 to 10) or a comma-separated list of proxy addresses or subnets (10.0.0.0/16, loopback)';

const trustedProxies = z.string().transform((value, context): TrustedProxies => {
  // A number is a hop count, 1 included: "1" as a flag (every hop) would believe a forged entry.
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value);
    if (hops <= 10) return hops;
    context.addIssue({ code: 'custom', message: `must be ${TRUST_PROXY_FORMS}; ${hops} hops is more than any deployment has` });
    return z.NEVER;
  }
  const flag = booleanFlag.safeParse(value.trim());
  if (flag.success) return flag.data;
  const { addresses, invalid } = addressesIn(value);
  if (addresses.length === 0 || invalid !== undefined) {
    context.addIssue({ code: 'custom', message: `must be ${TRUST_PROXY_FORMS}${invalid === undefined ? '' : `; "${invalid}" is none of these`}` });
    return z.NEVER;
  }
  return addresses;
});

/** A comma-separated list of addresses and subnets in proxy-addr's forms, and the first entry that is none. */
function addressesIn(value: string): { addresses: string[]; invalid?: string } {
  const addresses = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const invalid = addresses.find((address) => {
    try {
      proxyAddr.compile([address]);
      return false;
    } catch {
      return true;
    }
  });
  return { addresses, invalid };
}

const exemptAddresses = z.string().transform((value, context): string[] => {
  const { addresses, invalid } = addressesIn(value);
  if (invalid === undefined) return addresses;
  context.addIssue({ code: 'custom', message: `must be a comma-separated list of addresses or subnets (192.0.2.10, 10.0.0.0/16); "${invalid}" is neither` });
  return z.NEVER;
});

/** Names `todobox db:bootstrap` can create on every engine: MySQL allows 32 characters, and no quoting is needed. */
export const DATABASE_USER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
export const DATABASE_USER_NAME_RULE = 'must be 1 to 32 letters, digits or underscores, not starting with a digit';

// `satisfies` keeps the schema and environment.ts to the same keys: one missing or extra fails the build.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SECRET_KEY: z.string().default(DEFAULT_SECRET_KEY),
  SALT: z.string().default(DEFAULT_SALT),
  DATABASE_DEFAULT: z.enum(['sqlite', 'mysql', 'postgres']).default('sqlite'),
  DATABASE_NAME: z.string().min(1).default('instance/todobox.db'),
  DB_URL: z.string().min(1).default('127.0.0.1'),
  DB_PORT: port.optional(),
  DB_USER: z.string().default('todobox'),
  DB_PW: z.string().default(''),
  DB_NAME: z.string().min(1).default('todobox'),
  // off: plain TCP; on: TLS without checking the server's certificate; verify: TLS with the
  // certificate checked against DB_SSL_CA (or the system's CAs) and the host name.
  DB_SSL: z.enum(['off', 'on', 'verify']).default('off'),
  DB_SSL_CA: z
    .string()
    .optional()
    .refine((file) => !file || fs.existsSync(file), { message: 'names no readable file: give the path of the CA bundle (PEM)' }),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(DEFAULT_DB_POOL_MAX),
  DB_POOL_MIN: z.coerce.number().int().min(0).max(500).default(0),
  DB_POOL_ACQUIRE_MS: z.coerce.number().int().min(100).default(10000),
  DB_POOL_IDLE_MS: z.coerce.number().int().min(100).default(10000),
  // Read by `todobox db:bootstrap` alone: the administrator who creates the app's user and the exporter's.
  DB_ADMIN_USER: z.string().optional(),
  DB_ADMIN_PASSWORD: z.string().optional(),
  DB_EXPORTER_USER: z.string().regex(DATABASE_USER_NAME, DATABASE_USER_NAME_RULE).optional(),
  DB_EXPORTER_PASSWORD: z.string().optional(),
  REDIS_URL: z.string().url().optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('todobox:'),
  PORT: port.default(DEFAULT_PORT),
  BIND_ADDRESS: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  LOG_DIR: z.string().default('logs'),
  SESSION_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(120),
  TRUST_PROXY: trustedProxies.default('false'),
  LOGIN_THROTTLE_EXEMPT: exemptAddresses.default(''),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(25),
  // Above the idle timeout of every proxy in front (the ALB's is 60 s): the proxy, not the app,
  // closes an idle connection, so it never sends a request down one the app has just closed.
  KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(240).default(65),
  REGISTRATION: z.enum(['open', 'closed']).default('closed'),
  PAGE_SIZE: z.coerce.number().int().min(5).max(200).default(25),
  PAGE_CACHE_MB: z.coerce.number().int().min(0).max(4096).default(16),
  METRICS_TOKEN: z
    .string()
    .min(MIN_METRICS_TOKEN_LENGTH, `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters (e.g. "openssl rand -hex 32")`)
    .regex(/^\S+$/, 'must not contain spaces')
    .optional(),
  METRICS_PORT: port.optional(),
  METRICS_BIND_ADDRESS: z.string().min(1).default('127.0.0.1'),
  BACKUP_DIR: z.string().min(1).default('backups'),
  BACKUP_METRICS_DIR: z.string().min(1).optional(),
  BACKUP_S3_URL: s3Url.optional(),
  // An S3-compatible store's own address; AWS's is found from the region.
  BACKUP_S3_ENDPOINT: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//.test(url), { message: 'must be an http:// or https:// URL (the S3-compatible store, e.g. https://s3.example.com)' })
    .optional(),
  // Most S3-compatible stores serve buckets as https://host/bucket, not as https://bucket.host.
  BACKUP_S3_FORCE_PATH_STYLE: booleanFlag.default('false'),
  BACKUP_S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'must be a region name such as eu-west-1').optional(),
  // Set: objects are encrypted with this KMS key (aws:kms); unset: with the bucket's S3-managed keys (AES256).
  BACKUP_S3_KMS_KEY_ID: z.string().min(1).optional(),
  // How long the store may stay silent, once connected, before a request fails: a store that hangs must
  // not hold the backup (and its timer) forever; a slow link may need more.
  BACKUP_S3_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  // OpenTelemetry reads these (and its other OTEL_* variables) itself; checked here so a typo fails the start.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//.test(url), { message: 'must be an http:// or https:// URL (the OTLP receiver, e.g. http://otel-collector:4318)' })
    .optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
} satisfies Record<EnvironmentKey, z.ZodTypeAny>);

export type DatabaseDialect = 'sqlite' | 'mysql' | 'postgres';

export interface DatabaseCredentials {
  user: string;
  password: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  secretKey: string;
  salt: string;
  database: {
    dialect: DatabaseDialect;
    storage: string;
    host: string;
    port: number;
    user: string;
    password: string;
    name: string;
    pool: { max: number; min: number; acquireMs: number; idleMs: number };
    /** TLS to the database server (MySQL/MariaDB, PostgreSQL): off, on, or verify (with `ca`, the CA bundle's PEM text). */
    tls: { mode: 'off' | 'on' | 'verify'; ca?: string; caFile?: string };
    /** For `todobox db:bootstrap`: the administrator's credentials, and the monitoring exporter's user to create. */
    administrator?: DatabaseCredentials;
    exporter?: DatabaseCredentials;
  };
  redisUrl?: string;
  /** Prefix of every key written to Redis, so several deployments (or test runs) can share one. */
  redisKeyPrefix: string;
  port: number;
  bindAddress: string;
  logLevel: string;
  logDir: string;
  sessionTimeoutMinutes: number;
  trustProxy: TrustedProxies;
  /** Client addresses (a load generator's) whose logins are not counted per address; each account's limit still holds. */
  loginThrottleExempt: string[];
  webConcurrency: number;
  /** How long a stopping process lets in-flight requests finish. */
  shutdownTimeoutSeconds: number;
  /** How long an idle keep-alive connection stays open (Node's keepAliveTimeout). */
  keepAliveTimeoutSeconds: number;
  registrationOpen: boolean;
  pageSize: number;
  /** Memory for rendered pages, per process (0: pages are rendered for every request). */
  pageCacheBytes: number;
  /**
   * Where Prometheus scrapes /metrics: on the main port with `token` as a bearer token, and/or on an
   * internal `port` without one. With neither, /metrics does not exist.
   */
  metrics: { token?: string; port?: number; bindAddress: string };
  /** Where `todobox backup` writes, and where it leaves the .prom file for node_exporter's textfile collector. */
  backup: { dir: string; metricsDir?: string; s3Url?: S3Location; s3Store: S3StoreSettings };
  /**
   * Set when OTEL_EXPORTER_OTLP_ENDPOINT is: every OTEL_* setting from the environment and `.env`,
   * which OpenTelemetry reads from the process environment itself.
   */
  tracing?: { settings: Record<string, string> };
}

/** How to reach the store backups go to off the host; credentials come from the AWS SDK's own chain. */
export interface S3StoreSettings {
  endpoint?: string;
  forcePathStyle: boolean;
  region?: string;
  kmsKeyId?: string;
  timeoutSeconds: number;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_PORTS: Record<DatabaseDialect, number> = { sqlite: 0, mysql: 3306, postgres: 5432 };

/** Problems that make a production start unsafe; `preflight` reports the same ones. */
export function productionSecretProblems(secretKey: string, salt: string): string[] {
  const problems: string[] = [];
  if (secretKey === DEFAULT_SECRET_KEY || secretKey.length < MIN_SECRET_LENGTH) {
    problems.push(
      `SECRET_KEY must be set to a random value of at least ${MIN_SECRET_LENGTH} characters (run "todobox secret:generate")`,
    );
  }
  if (salt === DEFAULT_SALT || salt.length < MIN_SALT_LENGTH) {
    problems.push(
      `SALT must be set to a random value of at least ${MIN_SALT_LENGTH} characters (run "todobox secret:generate")`,
    );
  }
  return problems;
}

function credentials(user: string | undefined, password: string | undefined): DatabaseCredentials | undefined {
  return user === undefined || password === undefined ? undefined : { user, password };
}

/** `LOG_DIR=` logs to stdout only, with no file. */
const MEANINGFUL_WHEN_EMPTY = new Set(['LOG_DIR']);

/** Reads `.env` (without overriding the real environment) and validates every setting. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { readDotenv?: boolean; enforceProductionSecrets?: boolean } = {},
): Config {
  const source: Record<string, string | undefined> = { ...env };
  if (options.readDotenv ?? env === process.env) {
    const parsed = dotenv.config({ path: path.resolve('.env'), processEnv: {} }).parsed ?? {};
    for (const [key, value] of Object.entries(parsed)) source[key] ??= value;
  }
  // An empty value (`DB_PORT=` in a copied .env.example) means "use the default", but for the
  // settings where empty has a meaning of its own.
  for (const key of Object.keys(source)) if (source[key] === '' && !MEANINGFUL_WHEN_EMPTY.has(key)) delete source[key];
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = result.data;
  const isProduction = values.NODE_ENV === 'production';
  if (isProduction && (options.enforceProductionSecrets ?? true)) {
    const problems = productionSecretProblems(values.SECRET_KEY, values.SALT);
    if (problems.length > 0) throw new ConfigError(problems);
  }
  if (values.DB_POOL_MIN > values.DB_POOL_MAX) {
    throw new ConfigError(['DB_POOL_MIN must not be larger than DB_POOL_MAX']);
  }
  for (const [user, password] of [['DB_ADMIN_USER', 'DB_ADMIN_PASSWORD'], ['DB_EXPORTER_USER', 'DB_EXPORTER_PASSWORD']] as const) {
    if ((values[user] === undefined) !== (values[password] === undefined)) {
      throw new ConfigError([`${user} and ${password} go together: set both or neither`]);
    }
  }
  if (values.METRICS_PORT !== undefined && values.METRICS_PORT === values.PORT) {
    throw new ConfigError(['METRICS_PORT must differ from PORT (it is a separate, internal listener)']);
  }
  return {
    env: values.NODE_ENV,
    isProduction,
    secretKey: values.SECRET_KEY,
    salt: values.SALT,
    database: {
      dialect: values.DATABASE_DEFAULT,
      storage: values.DATABASE_NAME,
      host: values.DB_URL,
      port: values.DB_PORT ?? DEFAULT_PORTS[values.DATABASE_DEFAULT],
      user: values.DB_USER,
      password: values.DB_PW,
      name: values.DB_NAME,
      pool: {
        max: values.DB_POOL_MAX,
        min: values.DB_POOL_MIN,
        acquireMs: values.DB_POOL_ACQUIRE_MS,
        idleMs: values.DB_POOL_IDLE_MS,
      },
      tls: values.DB_SSL_CA
        ? { mode: values.DB_SSL, ca: fs.readFileSync(values.DB_SSL_CA, 'utf8'), caFile: path.resolve(values.DB_SSL_CA) }
        : { mode: values.DB_SSL },
      administrator: credentials(values.DB_ADMIN_USER, values.DB_ADMIN_PASSWORD),
      exporter: credentials(values.DB_EXPORTER_USER, values.DB_EXPORTER_PASSWORD),
    },
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    port: values.PORT,
    bindAddress: values.BIND_ADDRESS,
    logLevel: values.LOG_LEVEL,
    logDir: values.LOG_DIR,
    sessionTimeoutMinutes: values.SESSION_TIMEOUT_MINUTES,
    trustProxy: values.TRUST_PROXY,
    loginThrottleExempt: values.LOGIN_THROTTLE_EXEMPT,
    webConcurrency: values.WEB_CONCURRENCY,
    shutdownTimeoutSeconds: values.SHUTDOWN_TIMEOUT_SECONDS,
    keepAliveTimeoutSeconds: values.KEEP_ALIVE_TIMEOUT_SECONDS,
    registrationOpen: values.REGISTRATION === 'open',
    pageSize: values.PAGE_SIZE,
    pageCacheBytes: values.PAGE_CACHE_MB * 1024 * 1024,
    metrics: { token: values.METRICS_TOKEN, port: values.METRICS_PORT, bindAddress: values.METRICS_BIND_ADDRESS },
    backup: {
      dir: values.BACKUP_DIR,
      metricsDir: values.BACKUP_METRICS_DIR,
      s3Url: values.BACKUP_S3_URL,
      s3Store: {
        endpoint: values.BACKUP_S3_ENDPOINT,
        forcePathStyle: values.BACKUP_S3_FORCE_PATH_STYLE,
        region: values.BACKUP_S3_REGION,
        kmsKeyId: values.BACKUP_S3_KMS_KEY_ID,
        timeoutSeconds: values.BACKUP_S3_TIMEOUT_SECONDS,
      },
    },
    tracing: values.OTEL_EXPORTER_OTLP_ENDPOINT ? { settings: openTelemetrySettings(source) } : undefined,
  };
}

function openTelemetrySettings(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[0].startsWith('OTEL_') && entry[1] !== undefined),
  );
}
