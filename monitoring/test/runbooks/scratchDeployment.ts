import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../app/test/helpers/appProcess';
import { createTestDatabase, TestDatabase } from '../../../app/test/helpers/testDatabase';

const ROOT = path.resolve(__dirname, '../../..');
const DOUBLES = path.join(__dirname, 'doubles');
/** A commit made in the scratch origin needs a name; the operator's own is not read. */
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'TodoBox release', GIT_AUTHOR_EMAIL: 'release@example.com', GIT_COMMITTER_NAME: 'TodoBox release', GIT_COMMITTER_EMAIL: 'release@example.com' };

export type ScratchEngine = 'sqlite' | 'mysql';

/**
 * One app server of the single-host layout (`infra/server`), in a temp folder: the app folder is a git
 * clone of a scratch origin (whose `main` is the commit under test) with this checkout's build and
 * packages, its configuration file, its backup folder, and its unit driven by the systemctl double.
 */
export interface ScratchDeployment {
  root: string;
  /** The stand-in for /var/www/todobox. */
  app: string;
  /** The stand-in for /etc/todobox/todobox.env. */
  envFile: string;
  /** The stand-in for /var/backups/todobox. */
  backups: string;
  origin: string;
  port: number;
  /** The environment every block runs with: the doubles and the CLI first on PATH. */
  env: Record<string, string>;
  /** Runs `todobox <args>` as the runbooks do: the configuration file, NODE_ENV=production, from the app folder. */
  todobox(args: string[], extra?: Record<string, string>): string;
  systemctl(...args: string[]): string;
  /** Adds a commit to the origin's main, as a release published after the deployment. */
  publishRelease(): string;
  head(): string;
  dispose(): Promise<void>;
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } }).trim();
}

function randomSecret(): string {
  return crypto.randomBytes(32).toString('hex');
}

function configuration(engine: ScratchEngine, database: TestDatabase | undefined, backups: string): string {
  const settings: Record<string, string> = { SECRET_KEY: randomSecret(), SALT: randomSecret(), DATABASE_DEFAULT: engine, BACKUP_DIR: backups };
  if (database) for (const key of ['DB_URL', 'DB_PORT', 'DB_USER', 'DB_PW', 'DB_NAME']) settings[key] = database.env[key];
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

function readConfiguration(file: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The deployments start from this checkout's build, as `npm run build` makes it (tsc rebuilds only what changed). */
export function buildCheckout(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

export async function createScratchDeployment(engine: ScratchEngine): Promise<ScratchDeployment> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-runbook-'));
  const origin = path.join(root, 'origin.git');
  const app = path.join(root, 'www/todobox');
  const backups = path.join(root, 'backups');
  const envFile = path.join(root, 'etc/todobox.env');
  const home = path.join(root, 'home');
  const commit = git(['rev-parse', 'HEAD'], ROOT);
  git(['clone', '--quiet', '--bare', '--shared', ROOT, origin], root);
  git(['update-ref', 'refs/heads/main', commit], origin);
  git(['symbolic-ref', 'HEAD', 'refs/heads/main'], origin);
  git(['clone', '--quiet', '--shared', '--branch', 'main', origin, app], root);
  fs.cpSync(path.join(ROOT, 'app/dist'), path.join(app, 'app/dist'), { recursive: true });
  const nodeModules = fs.realpathSync(path.join(ROOT, 'node_modules'));
  fs.symlinkSync(nodeModules, path.join(app, 'node_modules'));
  for (const dir of [path.join(app, 'instance'), path.join(app, 'logs'), backups, path.dirname(envFile), home]) fs.mkdirSync(dir, { recursive: true });
  const database = engine === 'mysql' ? await createTestDatabase('mysql') : undefined;
  fs.writeFileSync(envFile, configuration(engine, database, backups), { mode: 0o640 });
  const port = await freePort();
  const realNpm = execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  const env: Record<string, string> = {
    PATH: [DOUBLES, path.join(app, 'bin'), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    HOME: home,
    LANG: 'C.UTF-8',
    npm_config_update_notifier: 'false',
    TODOBOX_SCRATCH: root,
    TODOBOX_SCRATCH_APP: app,
    TODOBOX_SCRATCH_ENV_FILE: envFile,
    TODOBOX_SCRATCH_PORT: String(port),
    TODOBOX_SCRATCH_NODE_MODULES: nodeModules,
    TODOBOX_SCRATCH_LOCKFILE: path.join(ROOT, 'package-lock.json'),
    TODOBOX_SCRATCH_REAL_NPM: realNpm,
  };
  const run = (command: string, args: string[], extra: Record<string, string> = {}): string => {
    const result = spawnSync(command, args, { cwd: app, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  return {
    root,
    app,
    envFile,
    backups,
    origin,
    port,
    env,
    todobox: (args, extra = {}) => run('node', ['bin/todobox.js', ...args], { ...readConfiguration(envFile), NODE_ENV: 'production', ...extra }),
    systemctl: (...args) => run(path.join(DOUBLES, 'systemctl'), args),
    publishRelease: () => {
      const next = git(['commit-tree', 'main^{tree}', '-p', 'main', '-m', 'Next release'], origin);
      git(['update-ref', 'refs/heads/main', next], origin);
      return next;
    },
    head: () => git(['rev-parse', 'HEAD'], app),
    dispose: async () => {
      spawnSync(path.join(DOUBLES, 'systemctl'), ['stop', 'todobox'], { env, timeout: 60_000 });
      try {
        await database?.drop();
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
