import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, productionSecretProblems } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { withCore } from '../helpers/core';
import { renderMarkdown } from '../../src/todos/markdown';
import { buildProgram } from '../../src/cli/program';
import { formatPreflightReport, runPreflight, CheckResult } from '../../src/cli/preflight';
import type { AuditOutcome } from '../../src/cli/preflight/audit';
import { MIGRATIONS } from '../../src/db/migrations';
import { createTestDatabase, TestDatabase, testEngine } from '../helpers/testDatabase';
import { type CliRun, type Terminal, todobox } from '../helpers/cli';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
const STRONG_PASSWORD = 'correct horse battery';
const COMMANDS = [
  'user:create',
  'user:list',
  'user:admin',
  'user:delete',
  'user:password',
  'user:logout',
  'secret:generate',
  'setup:token',
  'db:migrate',
  'db:status',
  'db:bootstrap',
  'backup',
  'backup:verify',
  'restore',
  'preflight',
];

let dir: string;
let database: TestDatabase;
let env: Record<string, string>;

function todoboxWith(args: string[], extraEnv: Record<string, string> = {}, terminal?: Terminal): Promise<CliRun> {
  return todobox(args, { ...env, ...extraEnv }, terminal);
}

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await createDatabase(loadConfig(env, { readDotenv: false }).database);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const userList = async () => JSON.parse((await todoboxWith(['user:list', '--json'])).stdout) as Array<Record<string, unknown>>;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-cli-'));
  database = await createTestDatabase();
  env = { ...database.env, LOG_DIR: path.join(dir, 'logs') };
});
afterEach(async () => {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('todobox program', () => {
  it('registers every command with a description', () => {
    const commands = buildProgram().commands;
    expect(commands.map((command) => command.name())).toEqual(expect.arrayContaining(COMMANDS));
    for (const command of commands) expect(command.description()).not.toBe('');
  });

  it('reaches stored data through the services only, never through the models', () => {
    const commandsDir = path.join(PROJECT_ROOT, 'app/src/cli/commands');
    const files = fs.readdirSync(commandsDir).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('users.ts');
    for (const name of files) {
      const source = fs.readFileSync(path.join(commandsDir, name), 'utf8');
      expect({ name, usesModels: /\bmodels\b/.test(source) }).toEqual({ name, usesModels: false });
    }
  });

  it('exits 1 with a usage message for an unknown command', async () => {
    const result = await todoboxWith(['user:nothing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown command 'user:nothing'");
  });

  it('lists 0001-initial-schema as applied after db:migrate', async () => {
    expect((await todoboxWith(['db:status'])).stdout).toContain('pending  0001-initial-schema');
    const migrate = await todoboxWith(['db:migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain(`Applied ${MIGRATIONS.length} migration(s).`);
    const status = await todoboxWith(['db:status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('applied  0001-initial-schema');
    expect(status.stdout).toContain('0 pending');
  });

  it('refuses account commands on a database with pending migrations', async () => {
    const result = await todoboxWith(['user:list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run "todobox db:migrate" first');
  });

  it('secret:generate prints SECRET_KEY and SALT lines that production accepts', async () => {
    const result = await todoboxWith(['secret:generate']);
    expect(result.code).toBe(0);
    const secretKey = /^SECRET_KEY=([0-9a-f]{64})$/m.exec(result.stdout)?.[1];
    const salt = /^SALT=([0-9a-f]{32})$/m.exec(result.stdout)?.[1];
    expect(secretKey).toBeDefined();
    expect(salt).toBeDefined();
    expect(productionSecretProblems(secretKey ?? '', salt ?? '')).toEqual([]);
    expect((await todoboxWith(['secret:generate'])).stdout).not.toBe(result.stdout);
  });
});

describe('user commands', () => {
  beforeEach(async () => {
    expect((await todoboxWith(['db:migrate'])).code).toBe(0);
  });

  it('user:create with --password creates a user, and --admin an administrator', async () => {
    const plain = await todoboxWith(['user:create', 'Bob@Example.com', '--name', 'Bob', '--password', STRONG_PASSWORD]);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout).toContain('Created user bob@example.com');
    const admin = await todoboxWith(['user:create', 'ada@example.com', '--name', 'Ada', '--admin', '--password', STRONG_PASSWORD]);
    expect(admin.stdout).toContain('Created administrator ada@example.com');
    const users = await userList();
    expect(users).toEqual([
      expect.objectContaining({ email: 'ada@example.com', name: 'Ada', isAdmin: true }),
      expect.objectContaining({ email: 'bob@example.com', name: 'Bob', isAdmin: false }),
    ]);
  });

  it('rejects a weak password with the web app message and creates nothing', async () => {
    const result = await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob', '--password', 'short']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('A password needs at least 10 characters');
    expect(await userList()).toEqual([]);
  });

  it('rejects a duplicate email', async () => {
    await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob', '--password', STRONG_PASSWORD]);
    const result = await todoboxWith(['user:create', 'BOB@example.com', '--name', 'Other', '--password', STRONG_PASSWORD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists');
    expect(await userList()).toHaveLength(1);
  });

  it('without --password and without a terminal reads TODOBOX_PASSWORD, or fails saying so', async () => {
    const missing = await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('TODOBOX_PASSWORD');
    const fromEnvironment = await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob'], { TODOBOX_PASSWORD: STRONG_PASSWORD });
    expect(fromEnvironment.code).toBe(0);
    expect(await userList()).toHaveLength(1);
  });

  it('refuses a password too short as soon as it is typed, before asking for it again', async () => {
    const short = await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob'], {}, { passwords: ['short'] });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/10/);
    expect(short.stderr).not.toContain('do not match');
    expect(await userList()).toHaveLength(0);
  });

  it('asks for the password twice in a terminal and refuses when the answers differ', async () => {
    const mismatch = await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob'], {}, { passwords: [STRONG_PASSWORD, 'something else'] });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('do not match');
    const match = await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob'], {}, { passwords: [STRONG_PASSWORD, STRONG_PASSWORD] });
    expect(match.code).toBe(0);
    expect(await userList()).toHaveLength(1);
  });

  it('user:password sets a new password (asked twice), ends the user\'s sessions and tokens, and with --temporary asks for their own', async () => {
    await todoboxWith(['user:create', 'lost@example.com', '--name', 'Lost', '--password', STRONG_PASSWORD]);
    const before = await withCore(env, async ({ services }) => {
      const user = (await services.users.findByEmail('lost@example.com'))!;
      await services.tokens.create(user.id, 'cron');
      return user;
    });
    const refused = await todoboxWith(['user:password', 'lost@example.com'], {}, { passwords: ['a new passphrase 1', 'a different one 22'] });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('do not match; nothing was changed');
    const reset = await todoboxWith(['user:password', 'lost@example.com', '--temporary'], {}, { passwords: ['a new passphrase 1', 'a new passphrase 1'] });
    expect(reset).toMatchObject({ code: 0, stderr: '' });
    expect(reset.stdout).toContain('sessions have ended and their API tokens are revoked');
    await withCore(env, async ({ db, services }) => {
      const after = (await services.users.findByEmail('lost@example.com'))!;
      expect(after.authVersion).toBe(before.authVersion + 1);
      expect(after.mustChangePassword).toBe(true);
      expect(await db.models.ApiToken.count({ where: { userId: after.id } })).toBe(0);
      expect((await services.auth.authenticate('lost@example.com', STRONG_PASSWORD, '192.0.2.7')).ok).toBe(false);
      expect((await services.auth.authenticate('lost@example.com', 'a new passphrase 1', '192.0.2.7')).ok).toBe(true);
    });
    expect((await todoboxWith(['user:password', 'nobody@example.com', '--password', 'whatever passphrase'])).stderr).toContain('No account');
    expect((await todoboxWith(['user:password', 'lost@example.com', '--password', 'short'])).code).toBe(1);
  });

  it('user:list prints a table with every column, and JSON with --json', async () => {
    await todoboxWith(['user:create', 'ada@example.com', '--name', 'Ada Lovelace', '--admin', '--password', STRONG_PASSWORD]);
    const table = await todoboxWith(['user:list']);
    expect(table.code).toBe(0);
    for (const heading of ['id', 'email', 'name', 'admin', 'blocked', 'last login', 'created']) expect(table.stdout).toContain(heading);
    expect(table.stdout).toMatch(/│ 1\s+│ ada@example\.com\s+│ Ada Lovelace\s+│ yes\s+│ no\s+│ never\s+│ \d{4}-\d\d-\d\d \d\d:\d\d/);
    const json = await userList();
    expect(json).toEqual([expect.objectContaining({ id: 1, email: 'ada@example.com', isAdmin: true, isBlocked: false, lastLoginAt: null })]);
  });

  it('user:admin grants and revokes administrator rights but never from the last administrator', async () => {
    await todoboxWith(['user:create', 'ada@example.com', '--name', 'Ada', '--admin', '--password', STRONG_PASSWORD]);
    await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob', '--password', STRONG_PASSWORD]);
    expect((await todoboxWith(['user:admin', 'bob@example.com'])).stdout).toContain('bob@example.com is now an administrator');
    expect((await userList()).filter((user) => user.isAdmin)).toHaveLength(2);
    expect((await todoboxWith(['user:admin', 'ada@example.com', '--revoke'])).stdout).toContain('is no longer an administrator');
    const lastAdmin = await todoboxWith(['user:admin', 'bob@example.com', '--revoke']);
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stderr).toContain('The last administrator cannot lose administrator rights');
    expect((await userList()).filter((user) => user.isAdmin).map((user) => user.email)).toEqual(['bob@example.com']);
    const unknown = await todoboxWith(['user:admin', 'nobody@example.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account has the email address nobody@example.com');
  });

  it('user:delete --yes removes the user and their todos; without --yes it asks, and refuses without a terminal', async () => {
    await todoboxWith(['user:create', 'ada@example.com', '--name', 'Ada', '--admin', '--password', STRONG_PASSWORD]);
    await todoboxWith(['user:create', 'bob@example.com', '--name', 'Bob', '--password', STRONG_PASSWORD]);
    await withDatabase(async (db) => {
      const bob = await db.models.User.findOne({ where: { email: 'bob@example.com' } });
      for (const title of ['one', 'two']) {
        await db.models.Todo.create({ userId: bob?.id, title, details: '', detailsHtml: '', status: 'new', scheduledFor: '2026-01-01' });
      }
    });

    const refused = await todoboxWith(['user:delete', 'bob@example.com']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('without confirmation: add --yes');
    const declined = await todoboxWith(['user:delete', 'bob@example.com'], {}, { confirm: false });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('nothing was deleted');
    expect(await userList()).toHaveLength(2);

    const deleted = await todoboxWith(['user:delete', 'bob@example.com', '--yes']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Deleted bob@example.com and 2 todo(s)');
    expect((await userList()).map((user) => user.email)).toEqual(['ada@example.com']);
    await withDatabase(async (db) => expect(await db.models.Todo.count()).toBe(0));

    const lastAdmin = await todoboxWith(['user:delete', 'ada@example.com', '--yes']);
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stderr).toContain('The last administrator cannot be deleted');
  });
});

describe('preflight', () => {
  const statusOf = (output: string, name: string) => new RegExp(`^  (PASS|WARN|FAIL)  ${name}`, 'm').exec(output)?.[1];

  it('FAILs the SECRET_KEY check on a default development configuration and exits 1', async () => {
    await todoboxWith(['db:migrate']);
    const result = await todoboxWith(['preflight']);
    expect(result.code).toBe(1);
    expect(statusOf(result.stdout, 'SECRET_KEY changed')).toBe('FAIL');
    expect(statusOf(result.stdout, 'Debug mode off')).toBe('FAIL');
    expect(statusOf(result.stdout, 'Administrator credentials')).toBe('FAIL');
    expect(result.stdout).toMatch(/^Security Review$/m);
    expect(result.stdout).toMatch(/^Configuration Review$/m);
    expect(result.stdout).toMatch(/^Database Review$/m);
    expect(result.stdout).toMatch(/^Preflight: \d+ passed, \d+ warnings, \d+ failed$/m);
    expect(result.stderr).toContain('Preflight failed');
  });

  it('PASSes the secret, CSRF, Markdown, migration and index checks on a production-like configuration', async () => {
    const secrets = (await todoboxWith(['secret:generate'])).stdout;
    const production = {
      NODE_ENV: 'production',
      TRUST_PROXY: '1',
      SECRET_KEY: /^SECRET_KEY=(.+)$/m.exec(secrets)?.[1] ?? '',
      SALT: /^SALT=(.+)$/m.exec(secrets)?.[1] ?? '',
    };
    await todoboxWith(['db:migrate'], production);
    await todoboxWith(['user:create', 'ada@example.com', '--name', 'Ada', '--admin', '--password', STRONG_PASSWORD], production);
    const result = await todoboxWith(['preflight'], production);
    for (const name of [
      'SECRET_KEY changed',
      'SALT changed',
      'Debug mode off',
      'HTTPS behind a TLS proxy',
      'Administrator credentials',
      'Database user permissions',
      'CSRF protection',
      'HTML sanitization of Markdown',
      'SECRET_KEY length',
      'Session timeout',
      'Migrations applied',
      'Indexes created',
      'Database size',
    ]) {
      expect([name, statusOf(result.stdout, name)]).toEqual([name, 'PASS']);
    }
    expect(statusOf(result.stdout, 'Production database')).toBe(testEngine() === 'sqlite' ? 'WARN' : 'PASS');
    expect(result.stdout).toMatch(/Database size: \d+ bytes/);
  });

  describe('runPreflight', () => {
    async function preflightWith(audit: AuditOutcome, extraEnv: Record<string, string> = {}): Promise<CheckResult[]> {
      await todoboxWith(['db:migrate']);
      return withCore({ ...env, ...extraEnv }, async ({ config, db, services }) =>
        runPreflight(config, { db, services, renderMarkdown, auditDependencies: async () => audit }),
      );
    }
    const find = (results: CheckResult[], name: string) => results.find((result) => result.name.startsWith(name));

    it('FAILs on high or critical advisories and WARNs when npm audit cannot run', async () => {
      const vulnerable = await preflightWith({ ran: true, vulnerabilities: { info: 0, low: 1, moderate: 0, high: 2, critical: 0 } });
      expect(find(vulnerable, 'Dependencies')).toMatchObject({ section: 'Security Review', status: 'FAIL', detail: expect.stringContaining('2 high') });
      const offline = await preflightWith({ ran: false, reason: 'getaddrinfo ENOTFOUND registry.npmjs.org' });
      expect(find(offline, 'Dependencies')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('ENOTFOUND') });
    });

    it('WARNs on TRUST_PROXY=true, which lets a client name its own address, and PASSes a hop count or a list', async () => {
      const audit: AuditOutcome = { ran: true, vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } };
      const everyHop = await preflightWith(audit, { TRUST_PROXY: 'true' });
      expect(find(everyHop, 'HTTPS behind a TLS proxy')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('hop count') });
      for (const trusted of ['1', '2', '10.0.0.0/16, loopback']) {
        const results = await preflightWith(audit, { TRUST_PROXY: trusted });
        expect([trusted, find(results, 'HTTPS behind a TLS proxy')?.status]).toEqual([trusted, 'PASS']);
      }
    });

    it('WARNs on an out-of-range session timeout and on 0.0.0.0 without TRUST_PROXY', async () => {
      const results = await preflightWith(
        { ran: true, vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } },
        { SESSION_TIMEOUT_MINUTES: '1440', BIND_ADDRESS: '0.0.0.0' },
      );
      expect(find(results, 'Session timeout')?.status).toBe('WARN');
      expect(find(results, 'BIND_ADDRESS and PORT')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('0.0.0.0:9191') });
      expect(find(results, 'Dependencies')?.status).toBe('PASS');
      expect(find(results, 'Database user permissions')?.status).toBe('PASS');
    });

    it('WARNs while a load generator is exempt from the per-address login throttle', async () => {
      const offline: AuditOutcome = { ran: false, reason: 'offline' };
      expect(find(await preflightWith(offline), 'Login throttle for every address')?.status).toBe('PASS');
      const exempting = await preflightWith(offline, { LOGIN_THROTTLE_EXEMPT: '192.0.2.10' });
      expect(find(exempting, 'Login throttle for every address')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('192.0.2.10') });
    });

    it("FAILs the administrator's database password in the app's environment, which only db:bootstrap needs", async () => {
      const offline: AuditOutcome = { ran: false, reason: 'offline' };
      expect(find(await preflightWith(offline), 'Database credentials from the environment')?.status).toBe('PASS');
      const withAdministrator = await preflightWith(offline, { DB_ADMIN_USER: 'master', DB_ADMIN_PASSWORD: 'master password 1' });
      expect(find(withAdministrator, 'Database credentials from the environment')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('DB_ADMIN_PASSWORD') });
      expect(JSON.stringify(withAdministrator)).not.toContain('master password 1');
    });

    if (testEngine() === 'sqlite') {
      it('FAILs a world-writable SQLite file', async () => {
        await todoboxWith(['db:migrate']);
        fs.chmodSync(env.DATABASE_NAME, 0o666);
        const loose = await preflightWith({ ran: false, reason: 'offline' });
        expect(find(loose, 'Database user permissions')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('world-writable') });
      });
    }

    it('FAILs an administrator whose password is a well-known default', async () => {
      await todoboxWith(['db:migrate']);
      await todoboxWith(['user:create', 'admin@example.com', '--name', 'Admin', '--admin', '--password', 'changeme123']);
      const results = await preflightWith({ ran: false, reason: 'offline' });
      expect(find(results, 'Administrator credentials')).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('admin@example.com'),
      });
      expect(formatPreflightReport(results)).toMatch(/^ {2}FAIL {2}Administrator credentials: well-known password on admin@example\.com/m);
    });
  });
});

describe('the todobox binary', () => {
  // As npm start does: tsc builds app/dist only when a source is newer than the build.
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.json'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  }, 120_000);

  it('lists every command in --help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/todobox.js', '--help'], { cwd: PROJECT_ROOT });
    for (const command of COMMANDS) expect(stdout).toContain(command);
  });

  /** Runs the binary in a terminal (util-linux `script` gives it one) and presses Ctrl+D once `prompt` shows. */
  function pressCtrlDAt(args: string[], prompt: string): Promise<{ code: number | null; output: string }> {
    const command = ['node', 'bin/todobox.js', ...args].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const seen = output.includes(prompt);
      output += chunk.toString();
      if (!seen && output.includes(prompt)) child.stdin.write('\x04');
    });
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
  }

  it('cancels cleanly at Ctrl+D, at a password prompt and at a confirmation', async () => {
    await todoboxWith(['db:migrate']);
    await todoboxWith(['user:create', 'ctrl-d@example.com', '--name', 'Ctrl D', '--password', STRONG_PASSWORD]);
    const atPassword = await pressCtrlDAt(['user:password', 'ctrl-d@example.com'], 'Password (at least 10 characters):');
    expect(atPassword).toEqual({ code: 1, output: expect.stringContaining('Cancelled.') });
    expect(atPassword.output).not.toMatch(/FATAL|Error| {4}at /);
    const atConfirmation = await pressCtrlDAt(['user:delete', 'ctrl-d@example.com'], '[y/N]');
    expect(atConfirmation).toEqual({ code: 1, output: expect.stringContaining('Cancelled: nothing was deleted.') });
    expect(atConfirmation.output).not.toMatch(/Unexpected error| {4}at /);
    expect(await userList()).toHaveLength(1);
  }, 60_000);
});
