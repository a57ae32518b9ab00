import http from 'node:http';
import net from 'node:net';
import { AppProcess, freePort, startAppProcess } from '../helpers/appProcess';

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('worker processes (WEB_CONCURRENCY)', () => {
  let app: AppProcess;
  afterEach(async () => {
    await app?.stop('SIGKILL');
  });

  it('runs N workers, replaces one that dies and logs it, and stops all on SIGTERM with exit 0', async () => {
    app = await startAppProcess({ WEB_CONCURRENCY: '3' });
    const started = () => app.lines().filter((line) => line.message === 'TodoBox startup');
    await app.waitForLine(() => started().length === 3);
    const pids = started().map((line) => line.pid as number);
    expect(new Set(pids).size).toBe(3);

    process.kill(pids[0], 'SIGKILL');
    const died = await app.waitForLine((line) => line.event === 'worker_died');
    expect(died).toMatchObject({ pid: pids[0], signal: 'SIGKILL', level: 'error' });
    await app.waitForLine(() => started().length === 4, 40_000);
    expect(await get(`${app.url}/healthz`)).toBe(200);

    const { code } = await app.stop('SIGTERM');
    expect(code).toBe(0);
    expect(app.lines().filter((line) => line.message === 'Stopped')).toHaveLength(3);
    // Four worker start-ups on a loaded 2-core machine: the time is the machine's, not the code's.
  }, 90_000);

  it('exits 1 instead of replacing workers forever when they cannot listen (port in use)', async () => {
    const port = await freePort();
    const occupant = net.createServer();
    await new Promise<void>((resolve) => occupant.listen(port, '127.0.0.1', resolve));
    try {
      app = await startAppProcess({ WEB_CONCURRENCY: '2' }, { port, awaitStartup: false });
      const { code } = await app.exited;
      expect(code).toBe(1);
      expect(app.lines().some((line) => line.event === 'worker_start_failed')).toBe(true);
      expect(app.lines().filter((line) => line.event === 'worker_died')).toEqual([]);
    } finally {
      await new Promise((resolve) => occupant.close(resolve));
    }
  });
});

describe('graceful shutdown', () => {
  let app: AppProcess;
  afterEach(async () => {
    await app?.stop('SIGKILL');
  });

  it('finishes a request in flight when SIGTERM arrives, refuses new ones, and exits 0', async () => {
    app = await startAppProcess();
    const body = 'x'.repeat(2000);
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        `${app.url}/login`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 1000));
      setTimeout(async () => {
        app.child.kill('SIGTERM');
        await app.waitForLine((line) => line.message === 'Shutting down: draining requests');
        req.end(body.slice(1000));
      }, 300);
    });
    const response = await inFlight;
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(500);
    const { code } = await app.exited;
    expect(code).toBe(0);
    await expect(get(`${app.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    const draining = app.lines().find((line) => line.message === 'Shutting down: draining requests');
    expect(draining?.inFlight).toBe(1);
  });
});
