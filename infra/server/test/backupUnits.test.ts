import fs from 'node:fs';
import path from 'node:path';
import { buildProgram } from '../../../app/src/cli/program';
import { describeWithService } from '../../../app/test/helpers/requiredService';
import { parseUnit, systemdAnalyzeAvailable, verifyUnits } from './unitFile';

const SERVER = path.resolve(__dirname, '..');
const read = (name: string) => fs.readFileSync(path.join(SERVER, name), 'utf8');
const appUnitText = read('todobox.service');
const serviceText = read('todobox-backup.service');
const timerText = read('todobox-backup.timer');
const appUnit = parseUnit(appUnitText);
const backupUnit = parseUnit(serviceText);
const timer = parseUnit(timerText);

/**
 * The retention options of the guide's schedule (daily, weekly, monthly). While `todobox backup` in this
 * tree registers them or not, the unit may name them; every other option must be one the CLI has.
 */
const RETENTION_OPTIONS = ['--keep-daily', '--keep-weekly', '--keep-monthly'];

function backupCommandOptions(): string[] {
  const backup = buildProgram().commands.find((command) => command.name() === 'backup');
  if (!backup) throw new Error('the CLI has no backup command');
  return backup.options.map((option) => option.long ?? '');
}

const only = (values: string[] | undefined) => {
  expect(values).toHaveLength(1);
  return (values as string[])[0];
};

describe('todobox-backup.service', () => {
  const service = backupUnit.Service;
  const argv = only(service.ExecStart).split(' ');

  it('is a oneshot run of `todobox backup` as the app\'s user, in its folder, with its environment file', () => {
    expect(only(service.Type)).toBe('oneshot');
    expect(argv.slice(0, 3)).toEqual(['/usr/bin/node', 'bin/todobox.js', 'backup']);
    for (const key of ['User', 'Group', 'WorkingDirectory', 'EnvironmentFile']) expect(service[key]).toEqual(appUnit.Service[key]);
    expect(service.Environment).toContain('NODE_ENV=production');
    expect(backupUnit.Unit.After).toContain('network-online.target');
    // Started by its timer only: enabling the service itself would run a backup at every boot.
    expect(backupUnit.Install).toBeUndefined();
  });

  it('writes the backup metric into node_exporter\'s textfile folder, where it may write', () => {
    expect(service.Environment).toContain('BACKUP_METRICS_DIR=/var/lib/prometheus/node-exporter');
    expect(only(service.ReadWritePaths).split(' ')).toEqual(expect.arrayContaining(['/var/lib/prometheus/node-exporter', '/var/backups/todobox']));
    // The metrics folder is set before the environment file, which may move it.
    expect(serviceText.indexOf('BACKUP_METRICS_DIR=')).toBeLessThan(serviceText.indexOf('EnvironmentFile='));
  });

  it('keeps the guide\'s schedule: 7 daily, 4 weekly and 12 monthly backups', () => {
    const value = (option: string) => argv[argv.indexOf(option) + 1];
    expect({ daily: value('--keep-daily'), weekly: value('--keep-weekly'), monthly: value('--keep-monthly') }).toEqual({
      daily: '7',
      weekly: '4',
      monthly: '12',
    });
    expect(value('--output')).toBe('/var/backups/todobox');
  });

  it('names only options that `todobox backup` has, or the retention options of the schedule', () => {
    const known = new Set([...backupCommandOptions(), ...RETENTION_OPTIONS]);
    const named = argv.filter((word) => word.startsWith('--'));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((option) => !known.has(option))).toEqual([]);
  });

  it('has the hardening of todobox.service, and cannot run forever', () => {
    const hardening = Object.keys(appUnit.Service).filter((key) => /^(Protect|Restrict|Private|NoNewPrivileges|LockPersonality|CapabilityBoundingSet|SystemCallArchitectures|UMask)/.test(key));
    expect(hardening.length).toBeGreaterThan(10);
    for (const key of hardening) expect([key, service[key]]).toEqual([key, appUnit.Service[key]]);
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
    expect(only(service.TimeoutStartSec)).toMatch(/^\d+h$/);
  });
});

describe('todobox-backup.timer', () => {
  it('starts the backup daily at 02:00, spread and caught up after downtime', () => {
    expect(only(timer.Timer.OnCalendar)).toBe('*-*-* 02:00:00');
    expect(only(timer.Timer.RandomizedDelaySec)).toMatch(/^\d+min$/);
    expect(only(timer.Timer.Persistent)).toBe('true');
    expect(only(timer.Timer.Unit)).toBe('todobox-backup.service');
    expect(timer.Install.WantedBy).toEqual(['timers.target']);
  });
});

describeWithService('systemd-analyze (apt package systemd)', systemdAnalyzeAvailable, 'the backup units under systemd-analyze', () => {
  it('pass systemd-analyze verify with no warning', () => {
    const { complaints, status } = verifyUnits({ 'todobox-backup.service': serviceText, 'todobox-backup.timer': timerText });
    expect(complaints).toEqual([]);
    expect(status).toBe(0);
  });

  it('would name a mistake in them, so a pass means something', () => {
    const { complaints } = verifyUnits({ 'todobox-backup.service': serviceText.replace('Type=oneshot', 'Type=oneshoot') });
    expect(complaints.join('\n')).toMatch(/service type.*oneshoot/);
  });
});
