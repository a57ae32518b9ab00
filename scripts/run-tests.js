#!/usr/bin/env node
'use strict';
// Runs every jest suite and ends with one line "N passed, N failed" over all of them.
// With CI=true a skipped test counts as failed: every service a suite needs must be present.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// The start command installs what the app needs to build and run; the tests need the test tools too.
if (!fs.existsSync(path.join(__dirname, '..', 'node_modules/jest/package.json'))) {
  process.stdout.write('Installing the test tools (devDependencies)\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tools = spawnSync(npm, ['install', '--include=dev', '--no-audit', '--no-fund'], { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
  if (tools.status !== 0) process.exit(tools.status ?? 1);
}

// The tests of the Pulumi programs and the policy pack run on those packages' own installs.
const infra = spawnSync(process.execPath, [path.join(__dirname, 'install-infra-packages.js')], { stdio: 'inherit' });
if (infra.status !== 0) process.exit(infra.status ?? 1);

const resultsFile = path.join(os.tmpdir(), `todobox-jest-${process.pid}.json`);
const jest = require.resolve('jest/bin/jest');
const run = spawnSync(process.execPath, [jest, '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: process.env,
});

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  skipped = results.numPendingTests + results.numTodoTests;
  fs.rmSync(resultsFile, { force: true });
} catch {
  failed = Math.max(failed, 1);
}
const ci = process.env.CI === 'true';
if (ci && skipped > 0) {
  process.stdout.write(`${skipped} skipped tests count as failed because CI=true\n`);
  failed += skipped;
  skipped = 0;
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
