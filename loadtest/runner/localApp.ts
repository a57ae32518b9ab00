import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ENGINE_SETTINGS, ENGINES, prepareEngine, type EngineName } from '../../bench/engines';
import { benchSecrets, startApp } from '../../bench/servers';
import type { Credentials } from '../scenarios';

/**
 * `--local-app sqlite|mariadb-redis`: the app of this checkout started here as production runs it,
 * on a database of its own (what `npm run bench` starts), with an administrator for setup() to
 * create the load users as; removed with its database when the test ends. For the reference
 * figures of loadtest/README.md, measured on the same machine as the load generator.
 */

const ROOT = path.resolve(__dirname, '../..');

export const LOCAL_APP_ENGINES = ENGINES;

export interface LocalApp {
  url: string;
  admin: Credentials;
  /** The app's own output, for a run that went wrong. */
  logFile: string;
  stop(): Promise<void>;
}

export async function startLocalApp(engineName: EngineName, workers: number): Promise<LocalApp> {
  if (!fs.existsSync(path.join(ROOT, 'app/dist/server.js'))) throw new Error('--local-app runs the built app: run npm run build first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-loadtest-app-'));
  const engine = await prepareEngine(engineName, dir, DEFAULT_ENGINE_SETTINGS);
  if ('unavailable' in engine) throw new Error(`--local-app ${engineName}: ${engine.unavailable}`);
  // The runner is this app's only client, from loopback: its logins count per account, as a load
  // generator's should (LOGIN_THROTTLE_EXEMPT), so a run measures the app and not the throttle.
  const env = { ...engine.env, ...benchSecrets(), LOGIN_THROTTLE_EXEMPT: 'loopback' };
  const app = await startApp({ root: ROOT, dir, env, workers });
  const stop = async () => {
    await app.stop();
    await engine.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const admin = { email: 'load-admin@example.com', password: randomBytes(18).toString('base64url') };
  const created = spawnSync(process.execPath, [path.join(ROOT, 'bin/todobox.js'), 'user:create', admin.email, '--name', 'Load Admin', '--admin'], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env, TODOBOX_PASSWORD: admin.password },
    encoding: 'utf8',
  });
  if (created.status !== 0) {
    await stop();
    throw new Error(`Creating the administrator failed: ${created.stderr || created.stdout}`);
  }
  return { url: app.url, admin, logFile: path.join(dir, 'app-output.log'), stop };
}
