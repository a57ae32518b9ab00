/**
 * `npm run loadtest -- --scenario <type> --url <url> [...]`: a test of loadtest/scenarios run from
 * Node where k6 may not run. Exits as k6 does: 0 when every threshold held, 99 when one failed,
 * 105 when stopped from outside (Ctrl+C, SIGTERM); and 1 when the test could not run (a wrong
 * setting, setup failed), teardown failed, or the runner fell behind its own schedule.
 */
import fs from 'node:fs';
import { CommanderError } from 'commander';
import { GENERATOR_LAG_LIMIT_MS, summaryFiles, summaryText, testPlan, type Env, type TestType } from '../scenarios';
import { startLocalApp } from './localApp';
import { parseRunnerArguments } from './options';
import { breakingPointsText } from './breakingPoints';
import { ensureWritableFolder } from './outputFolder';
import { htmlReport } from './report';
import { runLoadTest } from './run';

/** k6's exit codes for failed thresholds, and for a run stopped from outside. */
export const THRESHOLDS_FAILED_EXIT_CODE = 99;
export const EXTERNAL_ABORT_EXIT_CODE = 105;

function writeOutputs(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(file, text);
}

/**
 * The first Ctrl+C or SIGTERM (a CI job cancelled, `timeout`) ends the load but still removes the
 * load users, writes the summary and stops a --local-app; a second one gives up at once.
 */
function stopOnSignals(): AbortSignal {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nStopping (${signal}): teardown and summary follow (${signal} again to quit at once)\n`);
      stop.abort(`stopped by ${signal}`);
      process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
    });
  }
  return stop.signal;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseRunnerArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  // Before the local app starts or any request is sent: a run that cannot keep its results should not begin.
  ensureWritableFolder(testPlan(parsed.scenario, parsed.env).settings.summaryDir);
  const stop = stopOnSignals();
  const local = parsed.localApp ? await startLocalApp(parsed.localApp.engine, parsed.localApp.workers) : undefined;
  try {
    if (stop.aborted) return EXTERNAL_ABORT_EXIT_CODE;
    const env = local ? { ...parsed.env, BASE_URL: local.url, ADMIN_EMAIL: local.admin.email, ADMIN_PASSWORD: local.admin.password } : parsed.env;
    if (local) process.stderr.write(`Started the app on ${parsed.localApp?.engine} with ${parsed.localApp?.workers} worker(s) at ${local.url} (its output: ${local.logFile})\n`);
    return await run(parsed.scenario, env, stop);
  } finally {
    await local?.stop();
  }
}

async function run(type: TestType, env: Env, stop: AbortSignal): Promise<number> {
  const plan = testPlan(type, env);
  const { summary, metrics, teardownError } = await runLoadTest(plan, { stop, log: (line) => process.stderr.write(`${line}\n`) });
  const dir = plan.settings.summaryDir;
  const files = { ...summaryFiles(summary, dir), [`${dir}/${summary.testType}-report.html`]: htmlReport(summary, metrics) };
  writeOutputs(files);
  process.stdout.write(summaryText(summary));
  if (plan.profile.executor !== 'shared-iterations') process.stdout.write(`Second by second:\n${breakingPointsText(summary.run?.breakingPoints ?? [])}\n`);
  process.stdout.write(`Wrote ${Object.keys(files).join(', ')}\n`);
  if (teardownError) {
    process.stderr.write(`teardown failed, so load users (load-<run id>-<n>@example.com) or their tokens remain: delete them on the users page or with todobox user:delete\n  ${teardownError.message}\n`);
  }
  // A run stopped from outside is incomplete whatever its thresholds say, as k6 reports it.
  if (stop.aborted) return EXTERNAL_ABORT_EXIT_CODE;
  if (!summary.passed) return THRESHOLDS_FAILED_EXIT_CODE;
  if ((summary.run?.generatorLagMs ?? 0) > GENERATOR_LAG_LIMIT_MS) return 1;
  return teardownError ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
