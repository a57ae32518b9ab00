import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { NGINX_CONFIGS, SAMPLE_ANSWERS, accessLine, logFormat } from './nginxAccessLog';
import { freePort } from '../../app/test/helpers/appProcess';

const ROOT = path.resolve(__dirname, '../..');
const PROGRAM_DIR = path.join(ROOT, 'monitoring/mtail');
const WAIT_MS = 15_000;

async function metricsText(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Samples of one metric, keyed by their label set without mtail's own `prog` label. */
function samples(text: string, metric: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const labels = match[1]
      .split(',')
      .filter((label) => !label.startsWith('prog='))
      .join(',');
    result[labels] = Number(match[2]);
  }
  return result;
}

async function waitFor<T>(read: () => Promise<T | undefined>, done: (value: T) => boolean): Promise<T | undefined> {
  const deadline = Date.now() + WAIT_MS;
  let value = await read();
  while ((value === undefined || !done(value)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

const mtailAvailable = spawnSync('mtail', ['--version'], { stdio: 'ignore' }).status === 0;

describe('the nginx access log format', () => {
  it('is the same on the server and the Docker path, and carries the status and $request_time the edge SLI reads', () => {
    const [server, compose] = NGINX_CONFIGS.map(logFormat);
    expect(compose).toBe(server);
    expect(server).toMatch(/"\$request" \$status \$body_bytes_sent /);
    expect(server).toContain('request_time=$request_time');
  });
});

describeWithService('mtail (Debian package mtail)', mtailAvailable, 'the edge SLI from the nginx access log', () => {
  let workDir: string;
  let logFile: string;
  let port: number;
  let mtail: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-mtail-'));
    logFile = path.join(workDir, 'todobox.access.log');
    fs.writeFileSync(logFile, '');
    port = await freePort();
    mtail = spawn('mtail', ['--progs', PROGRAM_DIR, '--logs', logFile, '--address', '127.0.0.1', '--port', String(port), '--logtostderr'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    mtail.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    mtail.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = await waitFor(() => metricsText(port), () => true);
    if (ready === undefined) throw new Error(`mtail did not answer on port ${port}:\n${output}`);
  });

  afterAll(() => {
    mtail?.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('compiles the shipped program', () => {
    const result = spawnSync('mtail', ['--compile_only', '--progs', PROGRAM_DIR, '--logtostderr', '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: result.status, errors: result.stderr.split('\n').filter((line) => /^E\d|compile error/i.test(line)) }).toEqual({ status: 0, errors: [] });
  });

  it('counts each answer by status class, 502 and 504 of nginx among the 5xx, and their durations', async () => {
    const format = logFormat(NGINX_CONFIGS[0]);
    const answers = SAMPLE_ANSWERS;
    const lines = answers.map(([status, time]) => accessLine(format, status, time));
    // A line in another format (a rotated file from an older config) is not counted.
    fs.appendFileSync(logFile, `${lines.join('\n')}\nnot an access log line 200\n`);

    const text = await waitFor(
      () => metricsText(port),
      (body) => Object.values(samples(body, 'todobox_edge_http_requests_total')).reduce((sum, value) => sum + value, 0) >= answers.length,
    );
    expect(samples(text ?? '', 'todobox_edge_http_requests_total')).toEqual({
      'code_class="2xx"': 2,
      'code_class="3xx"': 1,
      'code_class="4xx"': 1,
      'code_class="5xx"': 3,
    });
    const buckets = samples(text ?? '', 'todobox_edge_http_request_duration_seconds_bucket');
    expect({ under200ms: buckets['le="0.2"'], under10s: buckets['le="10"'], all: buckets['le="+Inf"'] }).toEqual({ under200ms: 6, under10s: 6, all: 7 });
    expect(Number(/^todobox_edge_http_request_duration_seconds_sum\{[^}]*\} (\S+)$/m.exec(text ?? '')?.[1])).toBeCloseTo(60.217, 3);
  });
});
