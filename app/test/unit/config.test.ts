import fs from 'node:fs';
import dotenv from 'dotenv';
import { ConfigError, DEFAULT_SALT, DEFAULT_SECRET_KEY, loadConfig } from '../../src/config';
import { ENVIRONMENT_KEYS } from '../../src/environment';

const strongSecrets = { SECRET_KEY: 'k'.repeat(64), SALT: 's'.repeat(32) };

describe('configuration', () => {
  it('starts on the embedded defaults: SQLite in instance/todobox.db on port 9191', () => {
    const config = loadConfig({}, { readDotenv: false });
    expect(config.database.dialect).toBe('sqlite');
    expect(config.database.storage).toBe('instance/todobox.db');
    expect(config.port).toBe(9191);
    expect(config.sessionTimeoutMinutes).toBe(120);
    expect(config.registrationOpen).toBe(false);
    expect(config.pageSize).toBe(25);
  });

  it('reads the guide\'s database variables with the engine\'s default port', () => {
    const config = loadConfig(
      { DATABASE_DEFAULT: 'mysql', DB_URL: 'db.internal', DB_USER: 'app', DB_PW: 'pw', DB_NAME: 'todo' },
      { readDotenv: false },
    );
    expect(config.database).toMatchObject({ dialect: 'mysql', host: 'db.internal', port: 3306, user: 'app', password: 'pw', name: 'todo' });
    expect(loadConfig({ DATABASE_DEFAULT: 'postgres' }, { readDotenv: false }).database.port).toBe(5432);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_DEFAULT: 'oracle' }, 'DATABASE_DEFAULT'],
    [{ SESSION_TIMEOUT_MINUTES: '0' }, 'SESSION_TIMEOUT_MINUTES'],
    [{ REGISTRATION: 'maybe' }, 'REGISTRATION'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://otel-collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
  ])('rejects %p naming %s', (env, name) => {
    expect(() => loadConfig(env, { readDotenv: false })).toThrow(ConfigError);
    expect(() => loadConfig(env, { readDotenv: false })).toThrow(name);
  });

  it('reads TRUST_PROXY as a flag, a hop count or a list of proxy addresses, and names what it cannot read', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }, { readDotenv: false }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('0')).toBe(0);
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/16, 172.31.0.7 ,loopback')).toEqual(['10.0.0.0/16', '172.31.0.7', 'loopback']);
    for (const wrong of ['11', 'maybe', '10.0.0.0/99', '1.2.3', ',']) {
      expect(() => trust(wrong)).toThrow(ConfigError);
      expect(() => trust(wrong)).toThrow(/TRUST_PROXY: must be true, false, a hop count/);
    }
  });

  it('reads LOGIN_THROTTLE_EXEMPT as a list of addresses and subnets, empty by default, and names an entry it cannot read', () => {
    const exempt = (env: Record<string, string>) => loadConfig(env, { readDotenv: false }).loginThrottleExempt;
    expect(exempt({})).toEqual([]);
    expect(exempt({ LOGIN_THROTTLE_EXEMPT: '192.0.2.10, 10.0.0.0/16' })).toEqual(['192.0.2.10', '10.0.0.0/16']);
    expect(() => exempt({ LOGIN_THROTTLE_EXEMPT: '192.0.2.10, load-generator' })).toThrow(/LOGIN_THROTTLE_EXEMPT: .*"load-generator" is neither/);
  });

  it('refuses to start in production on a default or short SECRET_KEY or SALT, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SALT: strongSecrets.SALT }, { readDotenv: false })).toThrow(/SECRET_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: strongSecrets.SECRET_KEY }, { readDotenv: false })).toThrow(/SALT/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'short', SALT: strongSecrets.SALT }, { readDotenv: false })).toThrow(/SECRET_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: DEFAULT_SECRET_KEY, SALT: DEFAULT_SALT }, { readDotenv: false })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'production', ...strongSecrets }, { readDotenv: false }).isProduction).toBe(true);
  });

  it('writes the log file to logs/ by default, and to stdout only with an empty LOG_DIR', () => {
    expect(loadConfig({}, { readDotenv: false }).logDir).toBe('logs');
    expect(loadConfig({ LOG_DIR: '/var/log/todobox' }, { readDotenv: false }).logDir).toBe('/var/log/todobox');
    expect(loadConfig({ LOG_DIR: '' }, { readDotenv: false }).logDir).toBe('');
  });

  it('traces only with OTEL_EXPORTER_OTLP_ENDPOINT set, handing OpenTelemetry every OTEL_* setting', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, { readDotenv: false }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, { readDotenv: false }).tracing).toBeUndefined();
    const config = loadConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_SERVICE_NAME: '', PORT: '8080' },
      { readDotenv: false },
    );
    expect(config.tracing?.settings).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' });
  });

  it('accepts .env.example as it is, empty values meaning the defaults', () => {
    const example = dotenv.parse(fs.readFileSync('.env.example'));
    const config = loadConfig(example, { readDotenv: false });
    expect(config.port).toBe(9191);
    expect(config.database.port).toBe(0);
    expect(config.redisUrl).toBeUndefined();
  });

  it('keeps the deployment contract free of imports, so the Pulumi programs load none of the app\'s packages', () => {
    const contract = fs.readFileSync('app/src/environment.ts', 'utf8');
    expect(contract).toContain('ENVIRONMENT_KEYS');
    expect(contract).not.toMatch(/^\s*(import|export .* from)\b/m);
    expect(contract).not.toMatch(/require\(/);
  });

  it('documents every variable it reads in .env.example', () => {
    const example = dotenv.parse(fs.readFileSync('.env.example'));
    expect(ENVIRONMENT_KEYS.length).toBeGreaterThan(15);
    for (const key of ENVIRONMENT_KEYS) expect(Object.keys(example)).toContain(key);
  });
});
