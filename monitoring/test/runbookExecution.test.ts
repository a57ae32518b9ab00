import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineService } from '../../app/test/helpers/testDatabase';
import { describeWithService, mariaDbAvailable } from '../../app/test/helpers/requiredService';
import { shellBlocks, shellMark } from './runbooks/markdownBlocks';
import { deploymentSubstitutions, runBlocks, Substitutions } from './runbooks/runPage';
import { buildCheckout, createScratchDeployment, ScratchDeployment, ScratchEngine } from './runbooks/scratchDeployment';

const RUNBOOK_DIR = path.resolve(__dirname, '../../runbooks');
const PAGE_TIMEOUT_MS = 150_000;
const PASSWORD = 'correct horse battery';

interface PageSetup {
  engine: ScratchEngine;
  /** Brings the deployment to the state the page starts from; returns the page's own substitutions. */
  prepare(deployment: ScratchDeployment): Promise<Substitutions>;
  /** What must hold once every block has passed. */
  check(deployment: ScratchDeployment, output: string): void;
}

function pages(): string[] {
  return fs
    .readdirSync(RUNBOOK_DIR)
    .filter((name) => name.endsWith('.md'))
    .sort();
}

function blocksOf(page: string) {
  return shellBlocks(fs.readFileSync(path.join(RUNBOOK_DIR, page), 'utf8'));
}

function newestBackup(deployment: ScratchDeployment): string {
  const files = fs
    .readdirSync(deployment.backups)
    .filter((name) => name.startsWith('todobox_') && name.endsWith('.gz'))
    .map((name) => path.join(deployment.backups, name));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** Fails logins through the login form, as an attacker guessing passwords does. */
async function failLogins(deployment: ScratchDeployment, login: string, times: number): Promise<void> {
  const base = `http://127.0.0.1:${deployment.port}`;
  // The unit trusts one proxy: nginx says the request came over HTTPS, so the secure session cookie is set.
  const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
  for (let attempt = 0; attempt < times; attempt += 1) {
    const page = await fetch(`${base}/login`, { headers });
    const cookie = (page.headers.getSetCookie() ?? []).map((value) => value.split(';')[0]).join('; ');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const answer = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, email: login, password: 'not the password' }).toString(),
    });
    expect(answer.status).toBe(401);
  }
}

async function startedApp(deployment: ScratchDeployment): Promise<void> {
  deployment.systemctl('start', 'todobox');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${deployment.port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The scratch app did not become ready:\n${deployment.systemctl('status', 'todobox')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const READY = /"status": "ok"/;

/** restore.md from a nightly backup: the account made after it is gone, the one before it is back. */
function restoreSetup(engine: ScratchEngine): PageSetup {
  return {
    engine,
    prepare: async (deployment) => {
      deployment.todobox(['db:migrate']);
      deployment.todobox(['user:create', 'kept@example.com', '--name', 'Kept'], { TODOBOX_PASSWORD: PASSWORD });
      deployment.todobox(['backup', '--output', deployment.backups]);
      const nightly = newestBackup(deployment);
      deployment.todobox(['user:create', 'after-backup@example.com', '--name', 'After'], { TODOBOX_PASSWORD: PASSWORD });
      await startedApp(deployment);
      return [
        ['/var/backups/todobox/todobox_mysql_20261128-020000.sql.gz', nightly],
        // the operator's answer to the confirmation question
        ['bin/todobox.js restore ', 'bin/todobox.js restore --yes '],
      ];
    },
    check: (deployment, output) => {
      expect(output).toMatch(READY);
      expect(output).toMatch(/kept@example\.com/);
      expect(deployment.todobox(['user:list'])).not.toMatch(/after-backup@example\.com/);
      if (engine === 'sqlite') expect(fs.readdirSync(path.join(deployment.app, 'instance')).filter((name) => name.startsWith('todobox.db.before-restore-'))).toHaveLength(1);
    },
  };
}

/** The log searches of the security pages, after three failed logins from one address. */
function failedLoginsSetup(): PageSetup {
  return {
    engine: 'sqlite',
    prepare: async (deployment) => {
      deployment.todobox(['db:migrate']);
      deployment.todobox(['user:create', 'owner@example.com', '--name', 'Owner'], { TODOBOX_PASSWORD: PASSWORD });
      await startedApp(deployment);
      await failLogins(deployment, 'guess@example.com', 3);
      return [];
    },
    check: (_deployment, output) => {
      expect(output.match(/Invalid username or password/g)?.length).toBeGreaterThanOrEqual(3);
      expect(output).toMatch(/^3$/m);
      expect(output).toMatch(/^\s+3 203\.0\.113\.7\b/m);
    },
  };
}

/** Pages without an entry run on SQLite from a stopped, migrated deployment. */
const SETUPS: Record<string, PageSetup | PageSetup[]> = {
  'backup.md': {
    engine: 'mysql',
    prepare: async (deployment) => {
      await startedApp(deployment);
      return [[`/var/backups/todobox/todobox_mysql_20261128-020000.sql.gz`, `"$(ls -t ${deployment.backups}/todobox_mysql_*.sql.gz | head -n 1)"`]];
    },
    check: (deployment, output) => {
      expect(output).toMatch(/Backup written: .*todobox_mysql_\d{8}-\d{6}\.sql\.gz/);
      expect(output).not.toMatch(/FAIL/);
      const archives = fs.readdirSync(deployment.backups).filter((name) => /^(app|instance)_backup_\d{8}\.tar\.gz$/.test(name));
      expect(archives).toHaveLength(2);
    },
  },
  'restore.md': [restoreSetup('mysql'), restoreSetup('sqlite')],
  'upgrade.md': {
    engine: 'sqlite',
    prepare: async (deployment) => {
      deployment.todobox(['db:migrate']);
      deployment.todobox(['user:create', 'owner@example.com', '--name', 'Owner', '--admin'], { TODOBOX_PASSWORD: PASSWORD });
      await startedApp(deployment);
      deployment.publishRelease();
      return [];
    },
    check: (deployment, output) => {
      const { initial } = deploymentFacts.get(deployment) as { initial: string };
      expect(output).toMatch(READY);
      expect(output).toMatch(/^200$/m);
      expect(output).toMatch(/Fast-forward|Updating/);
      expect(deployment.head()).toBe(initial);
      expect(deployment.systemctl('is-active', 'todobox').trim()).toBe('active');
    },
  },
  'troubleshooting.md': {
    engine: 'mysql',
    prepare: async (deployment) => {
      deployment.todobox(['db:migrate']);
      deployment.todobox(['user:create', 'owner@example.com', '--name', 'Owner', '--admin'], { TODOBOX_PASSWORD: PASSWORD });
      await startedApp(deployment);
      return [['-u todobox --sort', `-u ${os.userInfo().username} --sort`]];
    },
    check: (_deployment, output) => {
      expect(output).toMatch(/Active: active \(running\)/);
      expect(output).toMatch(/^1\n1$/m);
      expect(output).toMatch(READY);
      expect(output).toMatch(/Preflight: \d+ passed, \d+ warnings?, 0 failed/);
      // the unit's TRUST_PROXY=1 reaches the checklist: nginx in front terminates TLS
      expect(output).toMatch(/PASS {2}HTTPS behind a TLS proxy/);
    },
  },
  'maintenance.md': failedLoginsSetup(),
  'UnauthorizedAccessAttempts.md': failedLoginsSetup(),
  'BackupTooOld.md': {
    engine: 'sqlite',
    prepare: async (deployment) => {
      deployment.todobox(['db:migrate']);
      return [];
    },
    check: (_deployment, output) => {
      expect(output).toMatch(/Backup written: .*todobox_sqlite_\d{8}-\d{6}\.sqlite\.gz/);
    },
  },
  'disaster-recovery.md': {
    engine: 'sqlite',
    prepare: async (deployment) => {
      deployment.todobox(['db:migrate']);
      deployment.todobox(['user:create', 'survivor@example.com', '--name', 'Survivor'], { TODOBOX_PASSWORD: PASSWORD });
      deployment.todobox(['backup', '--output', deployment.backups]);
      return [];
    },
    check: (_deployment, output) => {
      expect(output).toMatch(/PASS/);
      expect(output).not.toMatch(/FAIL/);
      expect(output).toMatch(READY);
      expect(output).toMatch(/survivor@example\.com/);
    },
  },
};

const DEFAULT_SETUP: PageSetup = {
  engine: 'sqlite',
  prepare: async (deployment) => {
    deployment.todobox(['db:migrate']);
    return [];
  },
  check: () => undefined,
};

const deploymentFacts = new WeakMap<ScratchDeployment, { initial: string }>();

const testedPages = pages().filter((page) => blocksOf(page).some((block) => shellMark(block) === 'tested'));

describe('the runbooks, run', () => {
  it('test at least the operations pages', () => {
    expect(testedPages).toEqual(expect.arrayContaining(['backup.md', 'restore.md', 'upgrade.md', 'troubleshooting.md', 'maintenance.md', 'disaster-recovery.md']));
  });

  it('count their tested and production blocks, one line per page', () => {
    const lines = pages().map((page) => {
      const blocks = blocksOf(page);
      const tested = blocks.filter((block) => shellMark(block) === 'tested').length;
      return { page, tested, production: blocks.length - tested };
    });
    const total = lines.reduce((sum, line) => ({ tested: sum.tested + line.tested, production: sum.production + line.production }), { tested: 0, production: 0 });
    process.stdout.write(
      [...lines.map(({ page, tested, production }) => `runbooks/${page}: ${tested} tested, ${production} production`), `runbooks/: ${total.tested} tested, ${total.production} production`].join('\n') + '\n',
    );
    expect(total.tested).toBeGreaterThan(15);
  });
});

beforeAll(buildCheckout, 180_000);

const runs = testedPages.flatMap((page) => [SETUPS[page] ?? DEFAULT_SETUP].flat().map((setup) => ({ page, setup })));

for (const { page, setup } of runs) {
  const run = () => {
    let deployment: ScratchDeployment;

    beforeAll(async () => {
      deployment = await createScratchDeployment(setup.engine);
      deploymentFacts.set(deployment, { initial: deployment.head() });
    }, 60_000);

    afterAll(async () => {
      await deployment?.dispose();
    }, 60_000);

    it(
      `runs every tested block of ${page} on a scratch deployment (${setup.engine})`,
      async () => {
        const substitutions = [...(await setup.prepare(deployment)), ...deploymentSubstitutions(deployment)];
        const blocks = blocksOf(page).filter((block) => shellMark(block) === 'tested');
        const result = runBlocks(deployment, page, blocks, substitutions, PAGE_TIMEOUT_MS);
        if (result.failure) {
          const { block, status, signal } = result.failure;
          throw new Error(
            `runbooks/${page}, tested block ${block} of ${blocks.length} (line ${blocks[block - 1]?.line}) failed (${status ?? signal}):\n${result.outputs.join('')}`,
          );
        }
        setup.check(deployment, result.outputs.join(''));
      },
      PAGE_TIMEOUT_MS + 30_000,
    );
  };
  const name = `runbooks/${page} on ${setup.engine}`;
  if (setup.engine === 'mysql') describeWithService(engineService('mysql'), mariaDbAvailable(), name, run);
  else describe(name, run);
}
