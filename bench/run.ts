/**
 * `npm run bench`: TodoBox against a bare node:http server returning the same bytes (the
 * machine's ceiling), case by case, in interleaved rounds. `--help` lists the options.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { autocannonGenerator } from './autocannon';
import { BenchConfig, BenchPlan, runBenchmark } from './benchmark';
import { benchCases } from './cases';
import { DEFAULT_ENGINE_SETTINGS, EngineName } from './engines';
import { LOAD_GENERATORS, LoadGenerator, LoadGeneratorName, wrkInstalled } from './loadGenerator';
import { describeMachine } from './machine';
import { updateReadme, writeReport } from './report';
import { wrkGenerator } from './wrk';
import { appSetting, wholeNumber } from './options';

const ROOT = path.resolve(__dirname, '..');
const ALL_CONFIGS = ['sqlite-w1', 'sqlite-w2', 'mariadb-redis-w1', 'mariadb-redis-w2'];
const DEFAULT_PAGE_SIZE = 25;
const CASES = benchCases({ todos: 50, crowdTodos: 25, pageSize: DEFAULT_PAGE_SIZE });
const CASE_IDS = CASES.map((each) => each.id);
const MAIN_CASE_IDS = CASES.filter((each) => each.main).map((each) => each.id);

function listOf(allowed: readonly string[]) {
  return (text: string) => {
    const values = text.split(',').map((value) => value.trim()).filter(Boolean);
    const unknown = values.filter((value) => !allowed.includes(value));
    if (unknown.length || !values.length) throw new InvalidArgumentError(`choose from ${allowed.join(', ')}`);
    return values;
  };
}

function parseConfig(id: string): BenchConfig {
  const match = /^(.+)-w(\d+)$/.exec(id)!;
  return { id, engine: match[1] as EngineName, workers: Number(match[2]) };
}

interface Options {
  quick?: boolean;
  rounds?: number;
  seconds?: number;
  warmup?: number;
  configs?: string[];
  cases?: string[];
  connections?: string[];
  loadGenerator?: LoadGeneratorName;
  out?: string;
  appRoot: string;
  build: boolean;
  updateReadme?: boolean;
  todos: number;
  crowd: number;
  mysqlUrl: string;
  redisUrl: string;
  appEnv?: Record<string, string>;
}

const program = new Command('npm run bench --')
  .description(
    'Benchmarks TodoBox against a bare node:http server that returns the same bytes (the machine\'s ceiling). ' +
      'Builds and starts the app in production mode on its own database, seeds it through the app, and measures ' +
      'each case with a load generator in a separate process. Writes results.json, results.md and results.svg.',
  )
  .option('--quick', `one round of the main cases (${MAIN_CASE_IDS.join(', ')}) on sqlite-w1 at 32 connections, in about a minute`)
  .option('--rounds <n>', 'rounds per case, app and ceiling in turn (default 3; 1 with --quick)', wholeNumber(1))
  .option('--seconds <n>', 'seconds per measured run (default 3; 2 with --quick)', wholeNumber(1))
  .option('--warmup <n>', 'seconds of unmeasured load before the first round of each case (default 1; 0 for none)', wholeNumber(0))
  .option('--configs <list>', `configurations (default all: ${ALL_CONFIGS.join(', ')})`, listOf(ALL_CONFIGS))
  .option('--cases <list>', `cases (default all: ${CASE_IDS.join(', ')})`, listOf(CASE_IDS))
  .option('--connections <list>', 'connection counts (default 32,1; 32 with --quick)', listOf(['32', '1']))
  .addOption(new Option('--load-generator <name>', 'wrk (default where installed) or autocannon').choices(LOAD_GENERATORS))
  .option('--out <dir>', 'folder for the results (default bench/, or bench/quick/ with --quick)')
  .option('--app-root <dir>', 'the checkout to build and measure (to compare another commit)', ROOT)
  .option('--no-build', 'measure app/dist as it is, without npm run build')
  .option('--update-readme', "replace the README's benchmark section with these results")
  .option('--app-env <KEY=VALUE>', 'a setting for the app under test, such as PAGE_CACHE_MB=0 (repeat for more)', appSetting)
  .option('--todos <n>', "the main user's todos for today", wholeNumber(1), 50)
  .option('--crowd <n>', 'other users, for the case that reads a different user each request', wholeNumber(1), 200)
  .option('--mysql-url <url>', 'MariaDB server (its user creates todobox_bench_* databases); or BENCH_MYSQL_URL', DEFAULT_ENGINE_SETTINGS.mysqlUrl)
  .option('--redis-url <url>', 'Redis server (keys under a prefix of their own); or BENCH_REDIS_URL', DEFAULT_ENGINE_SETTINGS.redisUrl);

function planFrom(options: Options): BenchPlan {
  const quick = Boolean(options.quick);
  const caseIds = options.cases ?? (quick ? MAIN_CASE_IDS : CASE_IDS);
  return {
    root: path.resolve(options.appRoot),
    configs: (options.configs ?? (quick ? ['sqlite-w1'] : ALL_CONFIGS)).map(parseConfig),
    caseIds,
    connections: (options.connections ?? (quick ? ['32'] : ['32', '1'])).map(Number),
    rounds: options.rounds ?? (quick ? 1 : 3),
    seconds: options.seconds ?? (quick ? 2 : 3),
    warmupSeconds: options.warmup ?? 1,
    pageSize: DEFAULT_PAGE_SIZE,
    appEnv: options.appEnv ?? {},
    seed: { todos: options.todos, crowd: CASES.some((each) => each.readsCrowd && caseIds.includes(each.id)) ? options.crowd : 0, crowdTodos: DEFAULT_PAGE_SIZE },
    engineSettings: { mysqlUrl: options.mysqlUrl, redisUrl: options.redisUrl },
  };
}

function chooseGenerator(name: LoadGeneratorName | undefined): LoadGenerator {
  if (name === 'autocannon') return autocannonGenerator();
  if (name === 'wrk' || wrkInstalled()) {
    if (!wrkInstalled()) throw new Error('wrk is not installed (apt-get install wrk), or choose --load-generator autocannon');
    return wrkGenerator();
  }
  process.stdout.write('wrk is not installed: measuring with autocannon\n');
  return autocannonGenerator();
}

async function main(): Promise<void> {
  const options = program.parse().opts<Options>();
  const plan = planFrom(options);
  const generator = chooseGenerator(options.loadGenerator);
  if (options.build) {
    process.stdout.write(`Building ${plan.root} (npm run build)\n`);
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: plan.root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const machine = describeMachine(plan.root, generator.name);
  const startedAt = Date.now();
  const results = await runBenchmark(plan, generator, machine, (line) => process.stdout.write(`${line}\n`));
  const outDir = path.resolve(options.out ?? path.join(ROOT, options.quick ? 'bench/quick' : 'bench'));
  const written = writeReport(results, outDir);
  if (options.updateReadme) updateReadme(path.join(ROOT, 'README.md'), results);
  process.stdout.write(`\nTargets (32 connections):\n`);
  for (const target of results.targets) {
    const verdict = target.met === undefined ? 'not measured' : target.met ? 'met' : 'MISSED';
    process.stdout.write(`  ${verdict.padEnd(12)} ${target.description}: ${target.measured ?? '-'} (goal: ${target.goal})\n`);
  }
  process.stdout.write(`\nWrote ${written.json}, ${written.markdown} and ${written.svg} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
  if (results.problems.length) {
    process.stderr.write(`\nRuns that did not serve full pages:\n${results.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    process.exit(1);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
