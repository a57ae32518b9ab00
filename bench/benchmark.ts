import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchCase } from './cases';
import { benchCases } from './cases';
import { BenchEngine, EngineName, EngineSettings, prepareEngine } from './engines';
import type { LoadGenerator } from './loadGenerator';
import type { MachineDescription } from './machine';
import { measure, Measured, verifyCase, VerifiedCase } from './measure';
import type { Seed, SeedPlan } from './seed';
import { seedThroughApp } from './seed';
import { benchSecrets, RunningApp, RunningServer, startApp, startCeiling } from './servers';
import type { CaseResult, RoundFigures, SummaryFigures } from './caseResult';
import { spread, median } from './stats';
import { evaluateTargets, TargetResult } from './targets';

export interface BenchConfig {
  /** `sqlite-w1`, `mariadb-redis-w2`, ... */
  id: string;
  engine: EngineName;
  workers: number;
}

export interface BenchPlan {
  root: string;
  configs: BenchConfig[];
  caseIds: string[];
  connections: number[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  seed: SeedPlan;
  pageSize: number;
  /** More settings for the app under test (LOG_LEVEL, PAGE_CACHE_MB, ...), as given with --app-env. */
  appEnv: Record<string, string>;
  engineSettings: EngineSettings;
}

export interface BenchResults {
  machine: MachineDescription;
  plan: Omit<BenchPlan, 'root' | 'engineSettings'>;
  engines: Record<string, string>;
  skipped: Array<{ config: string; reason: string }>;
  results: CaseResult[];
  targets: TargetResult[];
  /** Runs that did not serve full pages: the bench fails when there are any. */
  problems: string[];
}

export type Progress = (line: string) => void;

function summarize(figures: Measured[]): SummaryFigures {
  return {
    requestsPerSecond: spread(figures.map((each) => each.requestsPerSecond)),
    latencyMs: {
      p50: median(figures.map((each) => each.latencyMs.p50)),
      p95: median(figures.map((each) => each.latencyMs.p95)),
      p99: median(figures.map((each) => each.latencyMs.p99)),
    },
    cpuMsPerRequest: median(figures.map((each) => each.cpuMsPerRequest)),
    peakRssMb: Math.max(...figures.map((each) => each.peakRssMb)),
  };
}

function describeRun(label: string, figures: Measured): string {
  const rps = Math.round(figures.requestsPerSecond).toLocaleString('en');
  return `${label} ${rps} req/s, p99 ${figures.latencyMs.p99.toFixed(1)} ms, ${figures.cpuMsPerRequest.toFixed(3)} ms CPU/req`;
}

interface ConfigRun {
  config: BenchConfig;
  app: RunningApp;
  ceilings: Map<string, RunningServer>;
  verified: Map<string, VerifiedCase>;
  seed: Seed;
}

/** Every round of every case at every connection count, app and ceiling in turn. */
async function runRounds(run: ConfigRun, plan: BenchPlan, cases: BenchCase[], generator: LoadGenerator, progress: Progress): Promise<CaseResult[]> {
  const rows = cases.flatMap((benchCase) =>
    benchCase.connections.filter((count) => plan.connections.includes(count)).map((connections) => ({ benchCase, connections, rounds: [] as RoundFigures[] })),
  );
  for (let round = 1; round <= plan.rounds; round++) {
    for (const row of rows) {
      const verified = run.verified.get(row.benchCase.id)!;
      const ceiling = run.ceilings.get(row.benchCase.id)!;
      const common = { generator, verified, connections: row.connections };
      if (round === 1 && plan.warmupSeconds > 0) {
        await measure({ ...common, server: run.app, seconds: plan.warmupSeconds, seed: run.seed });
        await measure({ ...common, server: ceiling, seconds: plan.warmupSeconds });
      }
      const app = await measure({ ...common, server: run.app, seconds: plan.seconds, seed: run.seed });
      const bare = await measure({ ...common, server: ceiling, seconds: plan.seconds });
      row.rounds.push({ round, app, ceiling: bare });
      const ratio = ((100 * app.requestsPerSecond) / bare.requestsPerSecond).toFixed(1);
      const failed = app.problems.length ? `  NOT FULL PAGES: ${app.problems.join('; ')}` : '';
      progress(
        `[${run.config.id} ${round}/${plan.rounds}] ${row.benchCase.id} c=${row.connections}: ${describeRun('app', app)} | ${describeRun('ceiling', bare)} | ${ratio} % of the ceiling${failed}`,
      );
    }
  }
  return rows.map(({ benchCase, connections, rounds }) => {
    const app = summarize(rounds.map((each) => each.app));
    const ceiling = summarize(rounds.map((each) => each.ceiling));
    const ratios = rounds.map((each) => each.app.requestsPerSecond / each.ceiling.requestsPerSecond);
    return {
      config: run.config.id,
      case: benchCase.id,
      title: benchCase.title,
      connections,
      rounds,
      app,
      ceiling,
      ratio: { ...spread(ratios), median: app.requestsPerSecond.median / ceiling.requestsPerSecond.median },
    };
  });
}

async function runConfig(
  config: BenchConfig,
  engine: BenchEngine,
  dir: string,
  secrets: Record<string, string>,
  seedOf: (app: RunningApp) => Promise<Seed>,
  plan: BenchPlan,
  cases: BenchCase[],
  generator: LoadGenerator,
  progress: Progress,
): Promise<CaseResult[]> {
  // Cases that need settings of their own (the page cache off, say) get an app started with them.
  const groups = new Map<string, BenchCase[]>();
  for (const benchCase of cases) {
    const key = JSON.stringify(benchCase.appEnv ?? {});
    groups.set(key, [...(groups.get(key) ?? []), benchCase]);
  }
  const results: CaseResult[] = [];
  for (const [key, group] of groups) {
    const appEnv = JSON.parse(key) as Record<string, string>;
    results.push(...(await runCaseGroup(config, engine, dir, { ...secrets, ...appEnv }, seedOf, plan, group, generator, progress)));
  }
  return cases.flatMap((benchCase) => results.filter((result) => result.case === benchCase.id));
}

async function runCaseGroup(
  config: BenchConfig,
  engine: BenchEngine,
  dir: string,
  extraEnv: Record<string, string>,
  seedOf: (app: RunningApp) => Promise<Seed>,
  plan: BenchPlan,
  cases: BenchCase[],
  generator: LoadGenerator,
  progress: Progress,
): Promise<CaseResult[]> {
  const app = await startApp({
    root: plan.root,
    dir,
    workers: config.workers,
    env: { ...engine.env, REGISTRATION: 'open', PAGE_SIZE: String(plan.pageSize), ...plan.appEnv, ...extraEnv },
  });
  const ceilings = new Map<string, RunningServer>();
  try {
    const seed = await seedOf(app);
    const verified = new Map<string, VerifiedCase>();
    for (const benchCase of cases) {
      const checked = await verifyCase(app.url, benchCase, seed);
      verified.set(benchCase.id, checked);
      ceilings.set(benchCase.id, await startCeiling(dir, checked.ceiling, config.workers));
    }
    const settings = Object.entries(extraEnv).filter(([name]) => name !== 'SECRET_KEY' && name !== 'SALT').map(([name, value]) => `${name}=${value}`);
    progress(
      `[${config.id}] app on ${app.url} (${config.workers} worker${config.workers > 1 ? 's' : ''}, ${engine.description}${settings.length ? `, ${settings.join(' ')}` : ''}); every case serves its full page`,
    );
    return await runRounds({ config, app, ceilings, verified, seed }, plan, cases, generator, progress);
  } finally {
    for (const ceiling of ceilings.values()) await ceiling.stop();
    await app.stop();
  }
}

/** Runs the plan: per engine one seeded database, then each of its configurations in turn. */
export async function runBenchmark(
  plan: BenchPlan,
  generator: LoadGenerator,
  machine: MachineDescription,
  progress: Progress,
): Promise<BenchResults> {
  const allCases = benchCases({ todos: plan.seed.todos, crowdTodos: plan.seed.crowdTodos, pageSize: plan.pageSize });
  const cases = allCases.filter((benchCase) => plan.caseIds.includes(benchCase.id));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-bench-'));
  const results: CaseResult[] = [];
  const skipped: BenchResults['skipped'] = [];
  const engines: Record<string, string> = {};
  try {
    for (const engineName of [...new Set(plan.configs.map((config) => config.engine))]) {
      const configs = plan.configs.filter((config) => config.engine === engineName);
      const dir = path.join(workDir, engineName);
      fs.mkdirSync(dir, { recursive: true });
      const engine = await prepareEngine(engineName, dir, plan.engineSettings);
      if ('unavailable' in engine) {
        for (const config of configs) skipped.push({ config: config.id, reason: engine.unavailable });
        progress(`Skipping ${configs.map((config) => config.id).join(', ')}: ${engine.unavailable}`);
        continue;
      }
      engines[engineName] = engine.description;
      // One seeded database per engine; sessions outlive app restarts (in the database or in Redis).
      const secrets = benchSecrets();
      let seed: Seed | undefined;
      const seedOf = async (app: RunningApp) => {
        if (!seed) {
          const startedAt = Date.now();
          seed = await seedThroughApp(app, plan.seed);
          progress(
            `[${engineName}] seeded through the app in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ` +
              `${plan.seed.todos} Markdown todos for today, ${plan.seed.crowd} more users with ${plan.seed.crowdTodos} each`,
          );
        }
        return seed;
      };
      try {
        for (const config of configs) {
          results.push(...(await runConfig(config, engine, dir, secrets, seedOf, plan, cases, generator, progress)));
        }
      } finally {
        await engine.cleanup();
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const problems = results.flatMap((result) =>
    result.rounds
      .filter((round) => round.app.problems.length)
      .map((round) => `${result.config} ${result.case} c=${result.connections} round ${round.round}: ${round.app.problems.join('; ')}`),
  );
  const { root: _root, engineSettings: _settings, ...shownPlan } = plan;
  return { machine, plan: shownPlan, engines, skipped, results, targets: evaluateTargets(results), problems };
}
