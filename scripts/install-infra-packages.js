#!/usr/bin/env node
'use strict';
// The Pulumi programs and the policy pack are packages of their own, so the app's install never
// carries the Pulumi SDKs. Their tests and type checks need them: this installs each one whose
// node_modules is missing or older than its package-lock.json (as after a pull that changed it).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PACKAGES = ['infra/aws', 'infra/docker', 'infra/policy'];

function isCurrent(folder) {
  const installed = path.join(folder, 'node_modules/.package-lock.json');
  if (!fs.existsSync(installed)) return false;
  return fs.statSync(installed).mtimeMs >= fs.statSync(path.join(folder, 'package-lock.json')).mtimeMs;
}

for (const name of PACKAGES) {
  const folder = path.join(ROOT, name);
  if (isCurrent(folder)) continue;
  process.stdout.write(`Installing the packages of ${name} (its tests and type checks need them)\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder, stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write(`npm ci failed in ${name}\n`);
    process.exit(run.status ?? 1);
  }
}
