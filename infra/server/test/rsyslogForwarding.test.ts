import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type AppProcess, freePort, startAppProcess } from '../../../app/test/helpers/appProcess';
import { InstanceClient } from '../../../app/test/helpers/instanceClient';
import { describeWithService } from '../../../app/test/helpers/requiredService';
import { loadLogDashboards } from '../../../monitoring/test/dashboards';
import { lineFilters } from '../../../monitoring/test/logPipeline/logql';
import { RSYSLOG_GROUP_ID, type Rsyslogd, checkConfig, giveToRsyslog, rsyslogAvailable, startRsyslogd, testConfig } from './rsyslog';

const run = randomUUID().slice(0, 8);
const PASSWORD = `Wrong-horse-${run}`;
const ADMIN = { email: `admin-${run}@example.com`, password: `Correct-horse-battery-${run}` };
/** Failed logins from two client addresses (documentation ranges), each account under its throttle. */
const ATTEMPTS = [
  { ip: '203.0.113.7', email: `ann-${run}@example.com` },
  { ip: '203.0.113.7', email: `bob-${run}@example.com` },
  { ip: '198.51.100.23', email: `ann-${run}@example.com` },
];

function linesOf(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** One of the guide's shell searches, run by the shell on `file`. */
function shell(command: string, file: string): string {
  const result = spawnSync('sh', ['-c', command.replace('/var/log/todobox.log', JSON.stringify(file))], { encoding: 'utf8' });
  return result.stdout;
}

async function failLogin(app: AppProcess, attempt: (typeof ATTEMPTS)[number]): Promise<number> {
  const client = new InstanceClient([app.url]);
  const _csrf = await client.csrfToken(0, '/login');
  const answer = await client.request(0, {
    method: 'POST',
    path: '/login',
    form: { _csrf, email: attempt.email, password: PASSWORD },
    headers: { 'x-forwarded-for': attempt.ip },
  });
  return answer.status;
}

describeWithService('rsyslogd (Debian package rsyslog)', rsyslogAvailable, 'infra/server/rsyslog: the app log forwarded to a central log host', () => {
  let dir: string;
  let receivedFile: string;
  let appLog: string;
  let forwardConfig: string;
  let receiveConfig: string;
  let app: AppProcess | undefined;
  const daemons: Rsyslogd[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-rsyslog-'));
    // The daemons run as another user: they must reach their own folders and read the app's log.
    fs.chmodSync(dir, 0o755);
    for (const folder of ['receiver', 'forwarder', 'misspelt', 'app']) fs.mkdirSync(path.join(dir, folder), { mode: 0o755 });
    giveToRsyslog(path.join(dir, 'receiver'), path.join(dir, 'forwarder'), path.join(dir, 'misspelt'));
    receivedFile = path.join(dir, 'receiver', 'todobox.log');
    appLog = path.join(dir, 'app', 'logs', 'todobox.log');
  });

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await Promise.all(daemons.map((daemon) => daemon.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ships configs that rsyslogd -N1 accepts without an error', async () => {
    const port = await freePort();
    receiveConfig = testConfig('todobox-receive.conf', path.join(dir, 'receiver'), [
      ['port="514"', `port="${port}"`],
      ['File="/var/log/todobox.log"', `File="${receivedFile}"`],
      ['fileGroup="adm"', `fileGroupNum="${RSYSLOG_GROUP_ID}"`],
    ]);
    forwardConfig = testConfig('todobox-forward.conf', path.join(dir, 'forwarder'), [
      ['File="/var/www/todobox/logs/todobox.log"', `File="${appLog}"`],
      ['Target="logs.internal"', 'Target="127.0.0.1"'],
      ['Port="514"', `Port="${port}"`],
    ]);
    for (const config of [receiveConfig, forwardConfig]) {
      const { status, output } = checkConfig(config);
      expect({ config, status, errors: output.split('\n').filter((line) => /error/i.test(line)) }).toEqual({
        config,
        status: 0,
        errors: [],
      });
    }
    const misspelt = testConfig('todobox-forward.conf', path.join(dir, 'misspelt'), [['queue.saveOnShutdown', 'queue.saveOnShutdwn']]);
    expect(checkConfig(misspelt).status).not.toBe(0);
  });

  it('delivers every line the app writes, unchanged and in order, where the guide\'s grep searches find the failed logins', async () => {
    const port = Number(/port="(\d+)"/.exec(fs.readFileSync(path.join(dir, 'receiver', 'todobox-receive.conf'), 'utf8'))?.[1]);
    daemons.push(startRsyslogd(receiveConfig, path.join(dir, 'receiver')));
    const deadline = Date.now() + 20_000;
    while (!(await listening(port))) {
      if (Date.now() > deadline) throw new Error(`The receiving rsyslogd does not listen:\n${daemons[0].output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    app = await startAppProcess({ TRUST_PROXY: '1' }, { dir: path.join(dir, 'app') });
    daemons.push(startRsyslogd(forwardConfig, path.join(dir, 'forwarder')));
    const admin = new InstanceClient([app.url]);
    expect((await admin.submit(0, '/setup', '/setup', { name: 'Admin', email: ADMIN.email, password: ADMIN.password, confirm: ADMIN.password })).status).toBe(303);
    for (const attempt of ATTEMPTS) expect(await failLogin(app, attempt)).toBe(401);
    // A login that succeeds writes lines with "login" too: the guide's count must leave them out.
    expect((await new InstanceClient([app.url]).submit(0, '/login', '/login', ADMIN)).status).toBe(303);

    // The app's last line ("Stopped") arriving means every line before it has arrived too.
    await app.stop();
    await waitFor('the app\'s last line at the log host', () => linesOf(receivedFile).some((line) => JSON.parse(line).message === 'Stopped')).catch((error: Error) => {
      throw new Error(`${error.message}\nreceiver:\n${daemons[0].output()}\nforwarder:\n${daemons[1].output()}`);
    });
    // A line as long as one with a deep stack trace (past rsyslog's default 8 KB) arrives whole.
    const longLine = JSON.stringify({ timestamp: new Date().toISOString(), level: 'error', message: 'request failed', error: { stack: 'x'.repeat(20_000) } });
    fs.appendFileSync(appLog, `${longLine}\n`);
    await waitFor('the long line at the log host', () => linesOf(receivedFile).length === linesOf(appLog).length);
    const received = linesOf(receivedFile);
    expect(received).toEqual(linesOf(appLog));
    // The logins people tried are personal data: rsyslogd creates the file unreadable to others.
    expect({ mode: fs.statSync(receivedFile).mode & 0o777, gid: fs.statSync(receivedFile).gid }).toEqual({ mode: 0o640, gid: RSYSLOG_GROUP_ID });

    const invalid = shell('grep "Invalid username" /var/log/todobox.log', receivedFile).split('\n').filter(Boolean);
    expect(invalid.map((line) => JSON.parse(line)).map(({ event, login, ip }) => ({ event, login, ip }))).toEqual(
      ATTEMPTS.map(({ email, ip }) => ({ event: 'login_failed', login: email, ip })),
    );
    expect(shell('grep "login" /var/log/todobox.log | grep -c failed', receivedFile).trim()).toBe(String(ATTEMPTS.length));
    expect(received.some((line) => JSON.parse(line).event === 'login_succeeded')).toBe(true);
    expect(received.filter((line) => line.includes(PASSWORD) || line.includes(ADMIN.password))).toEqual([]);
  }, 90_000);

  it('finds the same lines with the Logs dashboard\'s saved queries as with the guide\'s grep', () => {
    const received = linesOf(receivedFile);
    const panels = loadLogDashboards().flatMap(({ dashboard }) => dashboard.panels);
    const filtered = (title: string) => {
      const filters = lineFilters(panels.find((panel) => panel.title === title)?.targets?.[0].expr ?? '');
      expect(filters.length).toBeGreaterThan(0);
      return received.filter((line) => filters.every((text) => line.includes(text)));
    };
    expect(filtered('Failed logins (grep "Invalid username")')).toHaveLength(ATTEMPTS.length);
    expect(filtered('Brute force attempts (grep login | grep -c failed)')).toHaveLength(ATTEMPTS.length);
  });
});
