'use strict';
// Preloaded (node -r) into a real `todobox backup` process: its first gzip chunk waits until the file
// TODOBOX_TEST_RELEASE_FILE exists, and TODOBOX_TEST_PAUSED_FILE is written once it waits, so a test
// knows the run holds its lock mid-dump for as long as it needs, without guessing at timings.
const fs = require('node:fs');
const zlib = require('node:zlib');

const { TODOBOX_TEST_PAUSED_FILE: pausedFile, TODOBOX_TEST_RELEASE_FILE: releaseFile } = process.env;
const transform = zlib.Gzip.prototype._transform;
const waited = new WeakSet();

zlib.Gzip.prototype._transform = function pausedTransform(chunk, encoding, done) {
  if (waited.has(this)) return transform.call(this, chunk, encoding, done);
  waited.add(this);
  fs.writeFileSync(pausedFile, String(process.pid));
  const poll = setInterval(() => {
    if (!fs.existsSync(releaseFile)) return;
    clearInterval(poll);
    transform.call(this, chunk, encoding, done);
  }, 20);
};
