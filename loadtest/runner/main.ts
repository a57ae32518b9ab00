/**
 * `npm run loadtest -- --scenario <type> --url <url> [...]`: a test of loadtest/scenarios run from
 * Node where k6 may not run. Exits 0 when every threshold held, 99 when one failed (as k6 does),
 * 1 when the test could not run (a wrong setting, setup failed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { summaryFiles, summaryText, testPlan } from '../scenarios';
import { parseRunnerArguments } from './options';
import { htmlReport } from './report';
import { runLoadTest } from './run';

/** k6's exit code for failed thresholds. */
export const THRESHOLDS_FAILED_EXIT_CODE = 99;

function writeOutputs(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseRunnerArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const plan = testPlan(parsed.scenario, parsed.env);
  const stop = new AbortController();
  // The first Ctrl+C ends the load but still removes the load users and writes the summary; the second gives up.
  process.once('SIGINT', () => {
    process.stderr.write('\nStopping: teardown and summary follow (Ctrl+C again to quit at once)\n');
    stop.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const { summary, metrics } = await runLoadTest(plan, { stop: stop.signal, log: (line) => process.stderr.write(`${line}\n`) });
  const dir = plan.settings.summaryDir;
  const files = { ...summaryFiles(summary, dir), [`${dir}/${summary.testType}-report.html`]: htmlReport(summary, metrics) };
  writeOutputs(files);
  process.stdout.write(summaryText(summary));
  process.stdout.write(`Wrote ${Object.keys(files).join(', ')}\n`);
  return summary.passed ? 0 : THRESHOLDS_FAILED_EXIT_CODE;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
