import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchResults } from '../../../bench/benchmark';

const ROOT = path.resolve(__dirname, '../../..');
const TSX = require.resolve('tsx/cli');
const run = promisify(execFile);

/**
 * `npm run bench` and `npm run profile` kept working: each runs once, as short as they go, and
 * must produce their files with figures that are there. No speed is asserted: the machine may be
 * loaded, and the bench itself is where figures are read.
 */
describe('the benchmark harness', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-bench-test-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  const bench = (args: string[]) => run(process.execPath, [TSX, 'bench/run.ts', ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });

  it('builds and measures the app against its ceiling on SQLite and MariaDB + Redis, and writes the results, table and chart', async () => {
    const dir = path.join(out, 'wrk');
    const { stdout } = await bench([
      '--configs', 'sqlite-w1,mariadb-redis-w1',
      '--cases', 'list,create,healthz',
      '--connections', '32',
      '--rounds', '1', '--seconds', '1', '--warmup', '0',
      '--out', dir,
    ]);
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as BenchResults;
    if (process.env.CI === 'true') expect(results.skipped).toEqual([]);
    const measured = results.results.map((row) => `${row.config} ${row.case} ${row.connections}`);
    const configs = ['sqlite-w1', 'mariadb-redis-w1'].filter((config) => !results.skipped.some((entry) => entry.config === config));
    expect(measured.sort()).toEqual(configs.flatMap((config) => ['list', 'create', 'healthz'].map((id) => `${config} ${id} 32`)).sort());
    for (const row of results.results) {
      expect({ row: `${row.config} ${row.case}`, problems: row.rounds.flatMap((round) => round.app.problems) }).toEqual({ row: `${row.config} ${row.case}`, problems: [] });
      expect(row.app.requestsPerSecond.median).toBeGreaterThan(0);
      expect(row.ceiling.requestsPerSecond.median).toBeGreaterThan(0);
      expect(row.app.cpuMsPerRequest).toBeGreaterThan(0);
      expect(row.app.peakRssMb).toBeGreaterThan(0);
      expect(row.ratio.median).toBeGreaterThan(0);
      expect(row.rounds[0].app.bytesPerResponse).toBeGreaterThan(0);
    }
    expect(results.problems).toEqual([]);
    expect(results.machine.loadGenerator).toMatch(/wrk/);
    expect(results.targets.find((target) => target.id === 'healthz-factor')?.measured).toMatch(/x$/);
    const table = fs.readFileSync(path.join(dir, 'results.md'), 'utf8');
    expect(table).toContain('| case | connections | req/s |');
    expect(table).toContain('/healthz');
    const chart = fs.readFileSync(path.join(dir, 'results.svg'), 'utf8');
    expect(chart).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(chart.match(/<rect /g)!.length).toBeGreaterThan(results.results.length);
    expect(stdout).toContain('Targets (32 connections):');
  }, 300_000);

  it('measures with autocannon where wrk is not wanted', async () => {
    const dir = path.join(out, 'autocannon');
    await bench(['--load-generator', 'autocannon', '--configs', 'sqlite-w1', '--cases', 'healthz', '--connections', '1', '--rounds', '1', '--seconds', '1', '--warmup', '0', '--no-build', '--out', dir]);
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as BenchResults;
    expect(results.machine.loadGenerator).toMatch(/^autocannon \d/);
    expect(results.problems).toEqual([]);
    expect(results.results.map((row) => [row.case, row.connections])).toEqual([['healthz', 1]]);
    expect(results.results[0].app.latencyMs.p99).toBeGreaterThan(0);
  }, 120_000);

  it('profiles a case and names the functions and packages its time goes to', async () => {
    const dir = path.join(out, 'profiles');
    const { stdout } = await run(process.execPath, [TSX, 'bench/profile.ts', '--case', 'todo', '--seconds', '1', '--no-build', '--out', dir], { cwd: ROOT });
    expect(stdout).toContain('Top functions (self time):');
    expect(stdout).toMatch(/Packages \(self time\):\n\s+[\d.]+ %/);
    const [profileDir] = fs.readdirSync(dir);
    expect(fs.readdirSync(path.join(dir, profileDir)).filter((name) => name.endsWith('.cpuprofile'))).toHaveLength(1);
  }, 120_000);
});
