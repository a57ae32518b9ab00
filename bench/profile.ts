/**
 * `npm run profile`: one bench case under load with the app's workers started under
 * `node --cpu-prof`; prints the top functions and packages and keeps the .cpuprofile files
 * (open them in Chrome DevTools' Performance panel). `--help` lists the options.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { autocannonGenerator } from './autocannon';
import { benchCases } from './cases';
import { CpuProfile, formatSummary, monotonicMicroseconds, summarizeProfiles, Window } from './cpuProfile';
import { DEFAULT_ENGINE_SETTINGS, ENGINES, EngineName, prepareEngine } from './engines';
import { wrkInstalled } from './loadGenerator';
import { measure, verifyCase } from './measure';
import { seedThroughApp } from './seed';
import { benchSecrets, startApp } from './servers';
import { wrkGenerator } from './wrk';
import { appSetting, wholeNumber } from './options';

const ROOT = path.resolve(__dirname, '..');
const PAGE_SIZE = 25;
const CASES = benchCases({ todos: 50, crowdTodos: PAGE_SIZE, pageSize: PAGE_SIZE });

interface Options {
  case: string;
  engine: EngineName;
  workers: number;
  connections: number;
  seconds: number;
  top: number;
  out: string;
  build: boolean;
  appEnv?: Record<string, string>;
}

const program = new Command('npm run profile --')
  .description('Profiles the app (node --cpu-prof) under one bench case and prints where its CPU time goes.')
  .option('--case <id>', `the case (${CASES.map((each) => each.id).join(', ')})`, 'list-all')
  .option('--engine <name>', `the database (${ENGINES.join(', ')})`, 'sqlite')
  .option('--workers <n>', 'WEB_CONCURRENCY (each worker writes its own profile)', wholeNumber(1), 1)
  .option('--connections <n>', 'connections of the load generator', wholeNumber(1), 32)
  .option('--seconds <n>', 'seconds of load', wholeNumber(1), 10)
  .option('--top <n>', 'rows per table', wholeNumber(1), 25)
  .option('--out <dir>', 'where the .cpuprofile files and summary.txt go', path.join(ROOT, 'bench/profiles'))
  .option('--app-env <KEY=VALUE>', 'a setting for the app under test, such as LOG_LEVEL=warn (repeat for more)', appSetting)
  .option('--no-build', 'profile app/dist as it is, without npm run build');

async function main(): Promise<void> {
  const options = program.parse().opts<Options>();
  const benchCase = CASES.find((each) => each.id === options.case);
  if (!benchCase) throw new Error(`No case "${options.case}": choose from ${CASES.map((each) => each.id).join(', ')}`);
  if (!(ENGINES as readonly string[]).includes(options.engine)) throw new Error(`No engine "${options.engine}": choose from ${ENGINES.join(', ')}`);
  if (options.build) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-profile-'));
  const engine = await prepareEngine(options.engine, workDir, DEFAULT_ENGINE_SETTINGS);
  if ('unavailable' in engine) throw new Error(`Cannot profile on ${options.engine}: ${engine.unavailable}`);
  const profileDir = path.join(path.resolve(options.out), `${options.case}-${options.engine}-w${options.workers}-${Date.now()}`);
  try {
    const env = { ...engine.env, ...benchSecrets(), REGISTRATION: 'open', PAGE_SIZE: String(PAGE_SIZE), ...benchCase.appEnv, ...options.appEnv };
    const launch = { root: ROOT, dir: workDir, env, workers: options.workers };
    // Seeded by an app that is not profiled, so the profile holds only the case's load.
    const seeding = await startApp(launch);
    const seed = await seedThroughApp(seeding, { todos: 50, crowd: benchCase.readsCrowd ? 200 : 0, crowdTodos: PAGE_SIZE }).finally(() => seeding.stop());
    fs.mkdirSync(profileDir, { recursive: true });
    const app = await startApp({ ...launch, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
    const primaryPid = app.pid;
    let figures;
    let window: Window;
    try {
      const verified = await verifyCase(app.url, benchCase, seed);
      const generator = wrkInstalled() ? wrkGenerator() : autocannonGenerator();
      const startUs = monotonicMicroseconds();
      figures = await measure({ server: app, generator, verified, connections: options.connections, seconds: options.seconds, seed });
      window = { startUs, endUs: monotonicMicroseconds() };
    } finally {
      await app.stop();
    }
    // Named CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile. With workers the primary only supervises: its profile is left out.
    const files = fs
      .readdirSync(profileDir)
      .filter((name) => name.endsWith('.cpuprofile') && (options.workers === 1 || name.split('.')[3] !== String(primaryPid)));
    const profiles = files.map((name) => JSON.parse(fs.readFileSync(path.join(profileDir, name), 'utf8')) as CpuProfile);
    // Start-up (loading modules, migrations) and shutdown are left out: only the time under load counts.
    const summary = summarizeProfiles(profiles, ROOT, options.top, window!);
    const report = [
      `Case ${options.case} on ${options.engine}, ${options.workers} worker(s), ${options.connections} connections for ${options.seconds} s:`,
      `${Math.round(figures.requestsPerSecond)} req/s under the profiler, p99 ${figures.latencyMs.p99.toFixed(1)} ms, ${figures.cpuMsPerRequest.toFixed(3)} ms CPU per request` +
        (figures.problems.length ? ` (NOT FULL PAGES: ${figures.problems.join('; ')})` : ''),
      '',
      formatSummary(summary),
      '',
      `Profiles: ${files.map((name) => path.join(profileDir, name)).join(', ')}`,
    ].join('\n');
    fs.writeFileSync(path.join(profileDir, 'summary.txt'), `${report}\n`);
    process.stdout.write(`${report}\n`);
  } finally {
    await engine.cleanup();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
