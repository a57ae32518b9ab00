import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { findProgram } from '../../app/test/helpers/privateServers';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { type RunningNginx, nginxAvailable, startNginx, writeMainConfig, writeTestCertificate } from '../../app/test/helpers/nginx';
import { ROOT, writeLocalComposeSite } from './deployFacts';
import { freePort } from '../../app/test/helpers/appProcess';

const SCRIPT = 'infra/compose/nginx/rotate-edge-log.sh';
const WAIT_MS = 20_000;
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/todos' }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).once('error', reject);
  });
}

const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('the edge log rotation of docker-compose.yml', () => {
  it('is an executable script that the nginx image\'s entrypoint runs before nginx', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true });
    expect(compose.services.nginx.volumes).toContain(`./${SCRIPT}:/docker-entrypoint.d/90-rotate-edge-log.sh:ro`);
    // The entrypoint skips a script that is not executable.
    expect(fs.statSync(path.join(ROOT, SCRIPT)).mode & 0o111).toBe(0o111);
    expect(read(SCRIPT)).toContain('${EDGE_LOG_FILE:-/var/log/todobox-edge/edge.access.log}');
  });
});

describeWithService('shellcheck', findProgram('shellcheck') !== undefined, 'the edge log rotation script passes shellcheck', () => {
  it('has no finding', () => {
    const result = spawnSync(findProgram('shellcheck') as string, [path.join(ROOT, SCRIPT)], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: result.status, findings: result.stdout }).toEqual({ status: 0, findings: '' });
  });
});

describeWithService('nginx', nginxAvailable(), 'the edge log rotation with a real nginx', () => {
  let dir: string;
  let nginx: RunningNginx | undefined;
  let rotation: ChildProcess | undefined;
  let httpPort: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-edge-rotation-'));
    fs.chmodSync(dir, 0o755);
    writeTestCertificate(dir);
    httpPort = await freePort();
    const httpsPort = await freePort();
    const closedPort = await freePort();
    const sitePath = writeLocalComposeSite(dir, { upstream: closedPort, http: httpPort, https: httpsPort });
    nginx = await startNginx({ dir, confPath: writeMainConfig(dir, sitePath), accessLog: path.join(dir, 'edge.access.log'), httpPort, httpsPort });
    rotation = spawn('sh', [path.join(ROOT, SCRIPT)], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, EDGE_LOG_FILE: path.join(dir, 'edge.access.log'), EDGE_LOG_MAX_BYTES: '1000', EDGE_LOG_CHECK_SECONDS: '1', NGINX_PID_FILE: path.join(dir, 'nginx.pid') },
    });
  }, 30_000);

  afterAll(async () => {
    // The script leaves its loop in the process group it was started in.
    if (rotation?.pid) process.kill(-rotation.pid, 'SIGTERM');
    await nginx?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renames a full log, has nginx reopen it, and nginx goes on writing the new file', async () => {
    const edgeLog = path.join(dir, 'edge.access.log');
    const statuses = new Set<number>();
    const deadline = Date.now() + WAIT_MS;
    while (!(lines(`${edgeLog}.1`).length > 0 && lines(edgeLog).length > 0) && Date.now() < deadline) {
      statuses.add(await get(httpPort));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [rotated, current] = [lines(`${edgeLog}.1`), lines(edgeLog)];
    expect(statuses).toEqual(new Set([301]));
    expect(rotated.length).toBeGreaterThan(0);
    expect(current.length).toBeGreaterThan(0);
    // Every line is a whole access line, in the same format on both sides of the rotation.
    for (const line of [...rotated, ...current]) expect(line).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/todos HTTP\/1\.1" 301 \d+ .* request_time=\d/);
    // The image's stdout copy is the other access_log: it keeps every line, rotated or not.
    expect(lines(path.join(dir, 'access.log')).length).toBeGreaterThanOrEqual(rotated.length + current.length);
  }, 30_000);
});
