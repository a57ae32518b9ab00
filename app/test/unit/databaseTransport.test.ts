import { loadConfig } from '../../src/config';
import { databaseTransportVerdict } from '../../src/cli/preflight/databaseTransport';

const PRODUCTION = { NODE_ENV: 'production', SECRET_KEY: 'k'.repeat(64), SALT: 's'.repeat(32), DATABASE_DEFAULT: 'mysql' };
const verdict = (env: Record<string, string>) => databaseTransportVerdict(loadConfig({ ...PRODUCTION, ...env }, { readDotenv: false })).status;

describe('the preflight check of the database link', () => {
  it('fails a production database on another host reached without TLS', () => {
    expect(verdict({ DB_URL: 'todobox.abc123.us-east-1.rds.amazonaws.com' })).toBe('FAIL');
    expect(verdict({ DB_URL: '203.0.113.10', DATABASE_DEFAULT: 'postgres' })).toBe('FAIL');
  });

  it('warns, without failing, for a private-network host such as the compose network', () => {
    for (const host of ['db', '10.0.3.7', '172.20.0.5', '192.168.1.20', 'fd00::5']) expect([host, verdict({ DB_URL: host })]).toEqual([host, 'WARN']);
  });

  it('passes the loopback, SQLite and a checked certificate, and warns about TLS whose certificate nobody checks', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect([host, verdict({ DB_URL: host })]).toEqual([host, 'PASS']);
    expect(verdict({ DATABASE_DEFAULT: 'sqlite' })).toBe('PASS');
    expect(verdict({ DB_URL: 'todobox.abc123.us-east-1.rds.amazonaws.com', DB_SSL: 'verify' })).toBe('PASS');
    expect(verdict({ DB_URL: 'todobox.abc123.us-east-1.rds.amazonaws.com', DB_SSL: 'on' })).toBe('WARN');
  });

  it('refuses a DB_SSL it does not know and a DB_SSL_CA that names no file', () => {
    expect(() => loadConfig({ DB_SSL: 'required' }, { readDotenv: false })).toThrow(/DB_SSL/);
    expect(() => loadConfig({ DB_SSL: 'verify', DB_SSL_CA: '/no/such/ca.pem' }, { readDotenv: false })).toThrow(/DB_SSL_CA: names no readable file/);
  });
});
