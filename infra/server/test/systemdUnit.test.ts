import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../app/src/config';
import { describeWithService } from '../../../app/test/helpers/requiredService';
import { parseUnit, systemdAnalyzeAvailable, verifyUnits } from './unitFile';

const ROOT = path.resolve(__dirname, '../../..');
const UNIT_PATH = path.join(ROOT, 'infra/server/todobox.service');
const unit = fs.readFileSync(UNIT_PATH, 'utf8');

const { Unit, Service, Install } = parseUnit(unit);
const single = (key: string) => {
  expect(Service[key]).toHaveLength(1);
  return Service[key][0];
};
const environment = Object.fromEntries((Service.Environment ?? []).map((pair) => pair.split('=', 2) as [string, string]));

describe('the systemd unit', () => {
  it('runs the compiled app with node, 4 workers and its settings from an environment file', () => {
    expect(Unit.After).toContain('network-online.target');
    expect(single('ExecStart')).toBe('/usr/bin/node app/dist/server.js');
    expect(single('WorkingDirectory')).toBe('/var/www/todobox');
    expect(single('User')).toBe('todobox');
    expect(single('EnvironmentFile')).toBe('/etc/todobox/todobox.env');
    expect(environment).toMatchObject({ NODE_ENV: 'production', PORT: '9191', WEB_CONCURRENCY: '4', TRUST_PROXY: '1' });
    expect(unit).toContain('npm ci --omit=dev');
    expect(fs.existsSync(path.join(ROOT, 'app/src/server.ts'))).toBe(true);
    expect(Install.WantedBy).toEqual(['multi-user.target']);
  });

  it('holds settings the app accepts', () => {
    const config = loadConfig({ ...environment, SECRET_KEY: 'k'.repeat(40), SALT: 's'.repeat(20) }, { readDotenv: false });
    expect(config.webConcurrency).toBe(4);
    expect(config.port).toBe(9191);
    expect(config.trustProxy).toBe(1);
  });

  it('is Type=simple (node cannot sd_notify), restarts always and stops gracefully within its timeout', () => {
    expect(single('Type')).toBe('simple');
    expect(unit).toMatch(/sd_notify/);
    expect(single('Restart')).toBe('always');
    expect(single('RestartSec')).toBe('5s');
    expect(single('KillSignal')).toBe('SIGTERM');
    const stopSeconds = Number(/^(\d+)s$/.exec(single('TimeoutStopSec'))?.[1]);
    const drainSeconds = Number(environment.SHUTDOWN_TIMEOUT_SECONDS);
    // The primary gives its workers the drain timeout plus 5 s before it exits on its own.
    expect(stopSeconds).toBeGreaterThan(drainSeconds + 5);
  });

  it('is hardened, writing only instance/ and logs/', () => {
    expect(single('NoNewPrivileges')).toBe('yes');
    expect(single('ProtectSystem')).toBe('strict');
    expect(single('PrivateTmp')).toBe('yes');
    expect(single('ReadWritePaths').split(' ').sort()).toEqual(['/var/www/todobox/instance', '/var/www/todobox/logs']);
    expect(Service.MemoryDenyWriteExecute).toBeUndefined();
  });

});

describeWithService('systemd-analyze (apt package systemd)', systemdAnalyzeAvailable, 'the systemd unit under systemd-analyze', () => {
  it('passes systemd-analyze verify with no warning', () => {
    const { complaints, status } = verifyUnits({ 'todobox.service': unit });
    expect(complaints).toEqual([]);
    expect(status).toBe(0);
  });
});
