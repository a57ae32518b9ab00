import { ConfigError, loadConfig } from '../../src/config';
import { queryOperation } from '../../src/observability/databaseMetrics';
import { methodLabel } from '../../src/observability/requestObservation';
import { tokenMatches } from '../../src/observability/metricsExposition';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }, { readDotenv: false });

describe('metrics settings', () => {
  it('default to no token, no internal port, and 127.0.0.1 for that port', () => {
    expect(load({}).metrics).toEqual({ token: undefined, port: undefined, bindAddress: '127.0.0.1' });
  });

  it('take a token of at least 24 characters and an internal port apart from PORT', () => {
    const token = 'a'.repeat(24);
    expect(load({ METRICS_TOKEN: token, METRICS_PORT: '9464', METRICS_BIND_ADDRESS: '10.0.0.5' }).metrics).toEqual({
      token,
      port: 9464,
      bindAddress: '10.0.0.5',
    });
  });

  it('refuse a short token, a token with spaces, and METRICS_PORT equal to PORT, naming the variable', () => {
    expect(() => load({ METRICS_TOKEN: 'a'.repeat(23) })).toThrow(/METRICS_TOKEN: must be at least 24 characters/);
    expect(() => load({ METRICS_TOKEN: `${'a'.repeat(24)} b` })).toThrow(/METRICS_TOKEN: must not contain spaces/);
    expect(() => load({ PORT: '9191', METRICS_PORT: '9191' })).toThrow(ConfigError);
    expect(() => load({ PORT: '9191', METRICS_PORT: '9191' })).toThrow(/METRICS_PORT must differ from PORT/);
  });
});

describe('metric labels', () => {
  it('keep the standard methods and put any other under "other"', () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) expect(methodLabel(method)).toBe(method);
    expect(methodLabel('PROPFIND')).toBe('other');
    expect(methodLabel('get')).toBe('other');
  });

  it('name a query\'s operation from its type, or a raw query\'s first word', () => {
    expect(queryOperation('SELECT', 'SELECT 1')).toBe('select');
    expect(queryOperation('UPSERT', undefined)).toBe('insert');
    expect(queryOperation('BULKUPDATE', undefined)).toBe('update');
    expect(queryOperation('BULKDELETE', undefined)).toBe('delete');
    expect(queryOperation('RAW', '  delete FROM sessions WHERE expires < now()')).toBe('delete');
    expect(queryOperation('RAW', 'PRAGMA journal_mode = WAL')).toBe('other');
    expect(queryOperation(undefined, undefined)).toBe('other');
  });
});

describe('metrics token comparison', () => {
  it('accepts only the exact token, whatever the length of the one given', () => {
    const token = 'metrics-token-0123456789abcdef';
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token}x`, token)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
  });
});
