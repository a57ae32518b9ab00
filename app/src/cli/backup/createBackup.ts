import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import sqlite3 from 'sqlite3';
import type { Config, S3StoreSettings } from '../../config';
import { createDatabase, type Database, migrationStatus } from '../../db';
import { BUILD_VERSION } from '../../shared';
import { CliError } from '../cliError';
import { redact } from '../redact';
import { acquireBackupLock, type HeldLock, type LockHolder } from './backupLock';
import { backupFileName, syncDirectory, syncFile, temporaryNameFor } from './backupFiles';
import { writeBackupMetrics } from './backupMetrics';
import { type BinaryLogPlan, planBinaryLog } from './binaryLog';
import { dumpCommand, lockRowsExclusion, mysqldumpIsMariaDb } from './clientTools';
import { type BackupManifest, digestFile, writeManifest } from './manifest';
import { pruneBackups } from './pruneBackups';
import type { RetentionDecision, RetentionPolicy } from './retention';
import { runTool } from './runTool';
import type { S3Location } from '../../shared';
import { uploadBackup } from './s3Upload';
import { formatVerification, inspectBackup } from './verifyBackup';

export interface BackupOptions {
  outputDir: string;
  /** Which of the engine's backups in the output folder to keep, this one always included. */
  retention: RetentionPolicy;
  metricsDir?: string;
  /** Where the backup goes off the host: it succeeds only once it is stored there. */
  upload?: { destination: S3Location; store: S3StoreSettings };
  /** Told the compressed bytes written so far as the dump runs. */
  onDumpProgress?: (bytes: number) => void;
  /** The environment the dump program inherits (it adds only the password). */
  env: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface BackupResult {
  file: string;
  sizeBytes: number;
  manifestFile: string;
  manifest: BackupManifest;
  retention: RetentionDecision[];
  /** Deleted backups and their manifests. */
  pruned: string[];
  metricsFile?: string;
  /** The s3:// URLs of the uploaded backup and manifest. */
  uploaded: string[];
  /** The crashed run whose expired lock this run took over. */
  tookOverLockFrom?: LockHolder;
}

/** Creates `target` (which must not exist) as gzip of what `feed` writes, and flushes it to disk. */
async function writeGzipped(target: string, feed: (gzip: zlib.Gzip) => Promise<void>, onProgress?: (bytes: number) => void): Promise<void> {
  const gzip = zlib.createGzip();
  let written = 0;
  if (onProgress) gzip.on('data', (chunk: Buffer) => onProgress((written += chunk.length)));
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
async function snapshotSqlite(config: Config['database'], snapshot: string): Promise<void> {
  const db = await createDatabase(config);
  try {
    await db.sequelize.query(`VACUUM INTO ${sqlString(path.resolve(snapshot))}`);
  } finally {
    await db.close();
  }
  await withoutLockRows(snapshot);
}

/** The copy keeps the backup lock's table but not its rows, so a restore never brings back the lease this run holds. */
function withoutLockRows(snapshot: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const copy = new sqlite3.Database(snapshot, sqlite3.OPEN_READWRITE, (openError) => {
      if (openError) return reject(openError);
      copy.exec('DELETE FROM backup_lock', (execError) => copy.close((closeError) => (execError ?? closeError ? reject(execError ?? closeError) : resolve())));
    });
  });
}

async function writeBackupFile(
  config: Config['database'],
  target: string,
  options: Pick<BackupOptions, 'env' | 'onDumpProgress'>,
  dumpOptions: string[],
): Promise<void> {
  if (config.dialect === 'sqlite') {
    const snapshot = `${target}.sqlite`;
    try {
      await snapshotSqlite(config, snapshot);
      await writeGzipped(target, (gzip) => pipeline(fs.createReadStream(snapshot), gzip), options.onDumpProgress);
    } finally {
      await fs.promises.rm(snapshot, { force: true });
    }
    return;
  }
  const tool = dumpCommand(config.dialect, config, options.env, dumpOptions);
  await writeGzipped(target, (gzip) => runTool(tool, config.password, { output: gzip }), options.onDumpProgress);
}

async function openDatabase(config: Config['database']): Promise<Database> {
  if (config.dialect === 'sqlite' && (config.storage === ':memory:' || !fs.existsSync(config.storage))) {
    throw new CliError(`Backup failed: There is no SQLite database at ${config.storage} (DATABASE_NAME): nothing to back up.`);
  }
  return createDatabase(config);
}

/**
 * Writes `todobox_<engine>_<UTC stamp>` into the output folder through a temporary file and a rename
 * (a failed dump leaves nothing behind), checks it, writes its manifest beside it, stores both off the
 * host when asked, prunes the folder to the retention schedule and, when asked, records the success for
 * node_exporter. The whole run holds the backup lock in the database, so runs on several hosts never
 * overlap. A failure leaves the metric as it was; so does a failed upload, which keeps the local file
 * and prunes nothing (a backup that is not off the host is not done).
 */
export async function createBackup(config: Config, options: BackupOptions): Promise<BackupResult> {
  const db = await openDatabase(config.database);
  try {
    const migrations = await migrationStatus(db.sequelize).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CliError(`Backup failed: the database did not answer: ${redact(reason, config.database.password)}`);
    });
    if (migrations.pending.includes('0005-backup-lock')) {
      throw new CliError('The database has no backup lock table yet: run "todobox db:migrate" first.');
    }
    const lock = await acquireBackupLock(db.sequelize);
    try {
      const result = await backUpHoldingLock(config, options, db, migrations.executed, lock);
      return { ...result, tookOverLockFrom: lock.tookOverFrom };
    } finally {
      await lock.release();
    }
  } finally {
    await db.close();
  }
}

async function backUpHoldingLock(
  config: Config,
  options: BackupOptions,
  db: Database,
  appliedMigrations: string[],
  lock: HeldLock,
): Promise<BackupResult> {
  const engine = config.database.dialect;
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  await fs.promises.mkdir(options.outputDir, { recursive: true, mode: 0o700 });
  const file = path.resolve(options.outputDir, backupFileName(engine, startedAt));
  if (fs.existsSync(file)) throw new CliError(`${file} already exists: one backup per second at most.`);
  const mariaDbClient = engine === 'mysql' && (await mysqldumpIsMariaDb());
  const binaryLog: BinaryLogPlan | undefined = engine === 'mysql' ? await planBinaryLog(db.sequelize, mariaDbClient) : undefined;
  const dumpOptions = engine === 'sqlite' ? [] : [...lockRowsExclusion(engine, config.database, mariaDbClient), ...(binaryLog?.record ? [binaryLog.dumpOption] : [])];
  const temporary = temporaryNameFor(file);
  try {
    await writeBackupFile(config.database, temporary, options, dumpOptions);
    await fs.promises.rename(temporary, file);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`Backup failed: ${redact(reason, config.database.password)}`);
  }
  await syncDirectory(path.dirname(file));
  const inspection = await inspectBackup(file);
  if (!inspection.passed || !inspection.contents) {
    await fs.promises.rm(file, { force: true });
    throw new CliError(`Backup failed its own check and was deleted:\n${formatVerification(inspection)}`);
  }
  const digest = await digestFile(file);
  const finishedAt = now();
  const manifest: BackupManifest = {
    format: 1,
    engine,
    appVersion: BUILD_VERSION,
    schema: { latestMigration: appliedMigrations.at(-1) ?? null, appliedMigrations },
    tables: inspection.contents.rows,
    file: { name: path.basename(file), ...digest },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    ...(binaryLog ? binaryLogFields(binaryLog, inspection.contents.binaryLog) : {}),
  };
  // Pruning deletes files: only while this run still holds the lock, never beside a run that took it over.
  await lock.confirm().catch(async (error: unknown) => {
    await fs.promises.rm(file, { force: true });
    throw error;
  });
  const manifestFile = await writeManifest(file, manifest);
  const uploaded = options.upload ? (await uploadBackup(file, options.upload.destination, options.upload.store, options.env)).urls : [];
  const { decisions, deleted } = await pruneBackups(path.dirname(file), engine, options.retention, startedAt);
  const metricsFile = options.metricsDir ? await writeBackupMetrics(options.metricsDir, new Date(), digest.sizeBytes) : undefined;
  return { file, sizeBytes: digest.sizeBytes, manifestFile, manifest, retention: decisions, pruned: deleted, metricsFile, uploaded };
}

function binaryLogFields(plan: BinaryLogPlan, found: BackupManifest['binaryLog']): Pick<BackupManifest, 'binaryLog' | 'binaryLogNote'> {
  if (!plan.record) return { binaryLog: null, binaryLogNote: plan.note };
  if (!found) return { binaryLog: null, binaryLogNote: 'the dump recorded no binary-log position' };
  return { binaryLog: found };
}
