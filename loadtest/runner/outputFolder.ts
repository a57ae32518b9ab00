import fs from 'node:fs';
import path from 'node:path';

/**
 * Makes `dir` (and its missing parents, one at a time) and proves a file can be written there, before
 * any request: a run that cannot keep its results should not start. One folder at a time because
 * Node's recursive mkdir loops forever under /proc, where each level answers ENOENT.
 */
export function ensureWritableFolder(dir: string): void {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let folder = absolute; !fs.existsSync(folder); folder = path.dirname(folder)) missing.unshift(folder);
  try {
    for (const folder of missing) fs.mkdirSync(folder);
    const probe = path.join(absolute, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
  } catch (error) {
    throw new Error(`SUMMARY_DIR ${dir} cannot hold the results (--summary-dir or SUMMARY_DIR): ${(error as Error).message}`);
  }
}
