#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '../app/dist/cli/index.js');
// A checkout runs the built CLI: say how to build it rather than fail with a module stack.
if (!fs.existsSync(entry)) {
  process.stderr.write('todobox: the CLI is not built in this checkout (no app/dist): run `npm run build` first, then try again.\n');
  process.exit(1);
}
require(entry);
