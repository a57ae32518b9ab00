/**
 * The contract between the app and whatever deploys it: every environment variable the app reads,
 * the defaults a deployment may rely on, and the shortest secrets the app accepts in production.
 * config.ts validates against it; the Pulumi programs and the deployment tests import it. It
 * imports nothing, so a Pulumi program pulls in none of the app's packages with it.
 */
export const ENVIRONMENT_KEYS = [
  'NODE_ENV',
  'SECRET_KEY',
  'SALT',
  'DATABASE_DEFAULT',
  'DATABASE_NAME',
  'DB_URL',
  'DB_PORT',
  'DB_USER',
  'DB_PW',
  'DB_NAME',
  'DB_SSL',
  'DB_SSL_CA',
  'DB_POOL_MAX',
  'DB_POOL_MIN',
  'DB_POOL_ACQUIRE_MS',
  'DB_POOL_IDLE_MS',
  'DB_ADMIN_USER',
  'DB_ADMIN_PASSWORD',
  'DB_EXPORTER_USER',
  'DB_EXPORTER_PASSWORD',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'PORT',
  'BIND_ADDRESS',
  'LOG_LEVEL',
  'LOG_DIR',
  'SESSION_TIMEOUT_MINUTES',
  'TRUST_PROXY',
  'LOGIN_THROTTLE_EXEMPT',
  'WEB_CONCURRENCY',
  'SHUTDOWN_TIMEOUT_SECONDS',
  'KEEP_ALIVE_TIMEOUT_SECONDS',
  'REGISTRATION',
  'PAGE_SIZE',
  'PAGE_CACHE_MB',
  'METRICS_TOKEN',
  'METRICS_PORT',
  'METRICS_BIND_ADDRESS',
  'BACKUP_DIR',
  'BACKUP_METRICS_DIR',
  'BACKUP_S3_URL',
  'BACKUP_S3_ENDPOINT',
  'BACKUP_S3_FORCE_PATH_STYLE',
  'BACKUP_S3_REGION',
  'BACKUP_S3_KMS_KEY_ID',
  'BACKUP_S3_TIMEOUT_SECONDS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
] as const;

export type EnvironmentKey = (typeof ENVIRONMENT_KEYS)[number];

/** The port the app listens on unless PORT says otherwise. */
export const DEFAULT_PORT = 9191;
/** Connections each worker's database pool opens at most (DB_POOL_MAX's default): the deployments' connection budgets count it. */
export const DEFAULT_DB_POOL_MAX = 10;

/** The development defaults of the two secrets, refused in production. */
export const DEFAULT_SECRET_KEY = 'dev-secret-key-change-me';
export const DEFAULT_SALT = 'dev-salt-change-me';

/** The shortest value of each secret the app accepts in production (METRICS_TOKEN: whenever it is set). */
export const SECRET_MINIMUM_LENGTHS = { SECRET_KEY: 32, SALT: 16, METRICS_TOKEN: 24 } as const satisfies Partial<Record<EnvironmentKey, number>>;
