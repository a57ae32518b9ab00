import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './deployFacts';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The packages scripts/install-system-deps.sh installs, read from its `packages=(...)` array. */
function installedPackages(): string[] {
  const match = /packages=\(([^)]*)\)/.exec(read('scripts/install-system-deps.sh'));
  if (!match) throw new Error('scripts/install-system-deps.sh has no packages=(...) array');
  return match[1].split(/\s+/).filter(Boolean);
}

/**
 * Every program a suite (or the CLI under test) runs, and the Debian package that provides it. A
 * program missing from the list works only on a machine where someone installed it by hand.
 */
const PROGRAMS: Record<string, string> = {
  mysqldump: 'mariadb-client',
  mysql: 'mariadb-client',
  pg_dump: 'postgresql-client',
  psql: 'postgresql-client',
  mariadb: 'mariadb-client',
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  'redis-server': 'redis-server',
  nginx: 'nginx',
  openssl: 'openssl',
  'systemd-analyze': 'systemd',
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-node-exporter': 'prometheus-node-exporter',
  prometheus: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'prometheus-mysqld-exporter': 'prometheus-mysqld-exporter',
  'prometheus-redis-exporter': 'prometheus-redis-exporter',
  'prometheus-postgres-exporter': 'prometheus-postgres-exporter',
  'prometheus-blackbox-exporter': 'prometheus-blackbox-exporter',
  chromium: 'chromium',
  curl: 'curl',
  jq: 'jq',
  shellcheck: 'shellcheck',
  wrk: 'wrk',
  rsyslogd: 'rsyslog',
  mtail: 'mtail',
};

describe('scripts/install-system-deps.sh', () => {
  const packages = installedPackages();

  it.each(Object.entries(PROGRAMS))('installs the package that provides %s (%s)', (_program, debianPackage) => {
    expect(packages).toContain(debianPackage);
  });

  it('has installed every one of those programs on a CI machine', () => {
    if (process.env.CI !== 'true') return;
    const missing = Object.keys(PROGRAMS).filter((program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0);
    expect(missing).toEqual([]);
  });
});

describe('.ci/run', () => {
  it('sets CI=true itself, so a missing service fails the run instead of skipping its suites', () => {
    expect(read('.ci/run')).toMatch(/^export CI=true$/m);
  });
});
