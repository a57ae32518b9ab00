import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseDialect } from '../../config';
import { backupStartedAt, listBackups } from './backupFiles';
import { manifestPathFor, readManifest } from './manifest';
import { RetentionCandidate, RetentionDecision, RetentionPolicy, selectRetention } from './retention';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Every backup this kit writes is gzip: a file that merely has a backup's name is left alone. */
async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const start = Buffer.alloc(GZIP_MAGIC.length);
    const { bytesRead } = await handle.read(start, 0, start.length, 0);
    return bytesRead === start.length && start.equals(GZIP_MAGIC);
  } finally {
    await handle.close();
  }
}

export interface PruneResult {
  decisions: RetentionDecision[];
  /** The deleted files: each backup, then its manifest when it had one. */
  deleted: string[];
}

/**
 * Applies the schedule to the engine's backups in `dir` (names of other engines never match) and
 * deletes each pruned backup with its manifest. A backup counts as complete when its manifest reads
 * back and names it, so an interrupted run's file never displaces a good one.
 */
export async function pruneBackups(dir: string, engine: DatabaseDialect, policy: RetentionPolicy, now: Date): Promise<PruneResult> {
  const candidates = new Map<RetentionCandidate, string>();
  for (const file of listBackups(dir, engine)) {
    const takenAt = backupStartedAt(file);
    if (!takenAt || !(await isGzip(file))) continue;
    const reading = await readManifest(file);
    const complete = reading.state === 'found' && reading.manifest.file.name === path.basename(file) && reading.manifest.engine === engine;
    candidates.set({ name: path.basename(file), takenAt, complete }, file);
  }
  const decisions = selectRetention([...candidates.keys()], policy, now);
  const deleted: string[] = [];
  for (const decision of decisions.filter((item) => !item.keep)) {
    const file = candidates.get(decision.candidate) as string;
    for (const doomed of [file, manifestPathFor(file)]) {
      if (!fs.existsSync(doomed)) continue;
      await fs.promises.rm(doomed, { force: true });
      deleted.push(doomed);
    }
  }
  return { decisions, deleted };
}
