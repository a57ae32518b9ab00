import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadRequest } from './cases';
import { LoadFigures, LoadGenerator, LoadRun, REQUEST_TIMEOUT_SECONDS } from './loadGenerator';

/** A Lua string literal of any bytes: printable ASCII as it is, everything else as a decimal escape. */
export function luaString(text: string): string {
  let literal = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    literal += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${literal}"`;
}

function luaTable(headers: Record<string, string>): string {
  return `{ ${Object.entries(headers).map(([name, value]) => `[${luaString(name)}] = ${luaString(value)}`).join(', ')} }`;
}

const RESULT_MARKER = 'BENCH_RESULT ';

/**
 * The script of one run. A single request is set on `wrk` itself, which then sends one prepared
 * buffer; several are formatted once per thread and handed out in turn by request().
 */
export function wrkScript(requests: LoadRequest[]): string {
  const format = (sent: LoadRequest) =>
    `wrk.format(${luaString(sent.method)}, ${luaString(sent.path)}, ${luaTable(sent.headers)}, ${sent.body === undefined ? 'nil' : luaString(sent.body)})`;
  const single = requests.length === 1 ? requests[0] : undefined;
  const sending = single
    ? [
        `wrk.method = ${luaString(single.method)}`,
        `wrk.path = ${luaString(single.path)}`,
        ...Object.entries(single.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`),
        single.body === undefined ? '' : `wrk.body = ${luaString(single.body)}`,
      ]
    : [
        'local prepared = {}',
        'local turn = 0',
        'init = function(args)',
        ...requests.map((sent) => `  table.insert(prepared, ${format(sent)})`),
        'end',
        'request = function()',
        '  turn = turn % #prepared + 1',
        '  return prepared[turn]',
        'end',
      ];
  return [
    ...sending,
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${RESULT_MARKER}{"requests":%d,"microseconds":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..`,
    `    '"p50":%d,"p95":%d,"p99":%d,"max":%d}\\n', summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,`,
    '    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))',
    'end',
    '',
  ].join('\n');
}

interface WrkResult {
  requests: number;
  microseconds: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** wrk (closed loop, one thread: the app and the ceiling get the other core). */
export function wrkGenerator(): LoadGenerator {
  return {
    name: 'wrk',
    async run(run: LoadRun): Promise<LoadFigures> {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-wrk-'));
      const script = path.join(dir, 'run.lua');
      fs.writeFileSync(script, wrkScript(run.requests));
      try {
        const args = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, `--timeout`, `${REQUEST_TIMEOUT_SECONDS}s`, '-s', script, run.url];
        const output = await new Promise<string>((resolve, reject) => {
          const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
          let text = '';
          child.stdout.on('data', (chunk) => (text += chunk));
          child.stderr.on('data', (chunk) => (text += chunk));
          child.once('error', reject);
          child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
        });
        const line = output.split('\n').find((each) => each.startsWith(RESULT_MARKER));
        if (!line) throw new Error(`wrk printed no result:\n${output}`);
        const result = JSON.parse(line.slice(RESULT_MARKER.length)) as WrkResult;
        const seconds = result.microseconds / 1e6;
        return {
          requests: result.requests,
          seconds,
          requestsPerSecond: result.requests / seconds,
          latencyMs: { p50: result.p50 / 1000, p95: result.p95 / 1000, p99: result.p99 / 1000, max: result.max / 1000 },
          bytes: result.bytes,
          statusErrors: result.status,
          socketErrors: result.connect + result.read + result.write + result.timeout,
        };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
