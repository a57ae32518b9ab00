import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Config, S3StoreSettings } from '../../config';
import { createDatabase } from '../../db';
import { CliError } from '../cliError';
import { redact } from '../redact';
import { backupFileName, pruneBackups, syncDirectory, syncFile, temporaryNameFor } from './backupFiles';
import { writeBackupMetrics } from './backupMetrics';
import { dumpCommand } from './clientTools';
import { runTool } from './runTool';
import type { S3Location } from '../../shared';
import { uploadBackup } from './s3Upload';

export interface BackupOptions {
  outputDir: string;
  /** How many backups of the engine to keep, this one included. */
  keep: number;
  metricsDir?: string;
  /** Where the backup goes off the host: it succeeds only once it is stored there. */
  upload?: { destination: S3Location; store: S3StoreSettings };
  /** The environment the dump program inherits (it adds only the password). */
  env: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface BackupResult {
  file: string;
  sizeBytes: number;
  pruned: string[];
  metricsFile?: string;
  /** The s3:// URLs of the uploaded backup and manifest. */
  uploaded: string[];
}

/** Creates `target` (which must not exist) as gzip of what `feed` writes, and flushes it to disk. */
async function writeGzipped(target: string, feed: (gzip: zlib.Gzip) => Promise<void>): Promise<void> {
  const gzip = zlib.createGzip();
  try {
    await Promise.all([feed(gzip), pipeline(gzip, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }))]);
  } catch (error) {
    gzip.destroy();
    throw error;
  }
  await syncFile(target);
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A consistent copy of a live SQLite database: VACUUM INTO reads it in one transaction, as writers carry on. */
async function snapshotSqlite(storage: string, config: Config['database'], snapshot: string): Promise<void> {
  if (storage === ':memory:' || !fs.existsSync(storage)) {
    throw new CliError(`There is no SQLite database at ${storage} (DATABASE_NAME): nothing to back up.`);
  }
  const db = await createDatabase(config);
  try {
    await db.sequelize.query(`VACUUM INTO ${sqlString(path.resolve(snapshot))}`);
  } finally {
    await db.close();
  }
}

async function writeBackupFile(config: Config['database'], target: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (config.dialect === 'sqlite') {
    const snapshot = `${target}.sqlite`;
    try {
      await snapshotSqlite(config.storage, config, snapshot);
      await writeGzipped(target, (gzip) => pipeline(fs.createReadStream(snapshot), gzip));
    } finally {
      await fs.promises.rm(snapshot, { force: true });
    }
    return;
  }
  const tool = dumpCommand(config.dialect, config, env);
  await writeGzipped(target, (gzip) => runTool(tool, config.password, { output: gzip }));
}

/**
 * Writes `todobox_<engine>_<UTC stamp>` into the output folder through a temporary file and a rename
 * (a failed dump leaves nothing behind), keeps the newest `keep` backups of the engine and, when asked,
 * records the success for node_exporter. A failure leaves the metric as it was; so does a failed
 * upload, which keeps the local file and prunes nothing (a backup that is not off the host is not done).
 */
export async function createBackup(config: Config, options: BackupOptions): Promise<BackupResult> {
  const engine = config.database.dialect;
  const startedAt = (options.now ?? (() => new Date()))();
  await fs.promises.mkdir(options.outputDir, { recursive: true, mode: 0o700 });
  const file = path.resolve(options.outputDir, backupFileName(engine, startedAt));
  if (fs.existsSync(file)) throw new CliError(`${file} already exists: one backup per second at most.`);
  const temporary = temporaryNameFor(file);
  try {
    await writeBackupFile(config.database, temporary, options.env);
    await fs.promises.rename(temporary, file);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`Backup failed: ${redact(reason, config.database.password)}`);
  }
  await syncDirectory(path.dirname(file));
  const sizeBytes = (await fs.promises.stat(file)).size;
  const uploaded = options.upload ? (await uploadBackup(file, options.upload.destination, options.upload.store, options.env)).urls : [];
  const pruned = pruneBackups(path.dirname(file), engine, options.keep);
  const metricsFile = options.metricsDir ? await writeBackupMetrics(options.metricsDir, new Date(), sizeBytes) : undefined;
  return { file, sizeBytes, pruned, metricsFile, uploaded };
}
