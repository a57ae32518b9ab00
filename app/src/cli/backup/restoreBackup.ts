import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import sqlite3 from 'sqlite3';
import type { Config } from '../../config';
import { createDatabase, migrationStatus, MigrationStatus } from '../../db';
import { CliError } from '../cliError';
import { redact } from '../redact';
import { backupStamp, syncDirectory, syncFile, temporaryNameFor } from './backupFiles';
import { replayCommand } from './clientTools';
import { runTool } from './runTool';
import { formatVerification, verifyBackup } from './verifyBackup';

export interface RestoreResult {
  /** The database file as it was before the restore (SQLite only). */
  previousFile?: string;
  migrations: MigrationStatus;
  users: number;
  todos: number;
}

function runSqlite(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (openError) => {
      if (openError) return reject(openError);
      db.exec(sql, (execError) => db.close((closeError) => (execError ?? closeError ? reject(execError ?? closeError) : resolve())));
    });
  });
}

/**
 * Moves everything the write-ahead log holds into the database file. The last connection to close
 * removes the -wal and -shm files, so finding them afterwards means another process (the app) has
 * the database open: replacing the file under it would lose its writes or corrupt the copy it sees.
 */
async function checkpointIdleDatabase(target: string): Promise<void> {
  await runSqlite(target, 'PRAGMA wal_checkpoint(TRUNCATE)');
  const inUse = [`${target}-wal`, `${target}-shm`].filter((companion) => fs.existsSync(companion));
  if (inUse.length > 0) {
    throw new CliError(
      `The database is in use (${inUse.map((companion) => path.basename(companion)).join(', ')} still open): stop TodoBox (e.g. "systemctl stop todobox") and restore again.`,
    );
  }
}

/** Gives the restored file the old file's mode and, when run as root, its owner, so the app can still write it. */
async function matchOwnership(file: string, like: fs.Stats): Promise<void> {
  await fs.promises.chmod(file, like.mode & 0o777);
  if (process.getuid?.() === 0) await fs.promises.chown(file, like.uid, like.gid);
}

/** Replaces the SQLite file with the backup in one rename; the old file stays as `<name>.before-restore-<stamp>`. */
async function restoreSqlite(storage: string, backup: string): Promise<string | undefined> {
  const target = path.resolve(storage);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const incoming = temporaryNameFor(target);
  try {
    await pipeline(fs.createReadStream(backup), zlib.createGunzip(), fs.createWriteStream(incoming, { flags: 'wx', mode: 0o600 }));
    await syncFile(incoming);
    let previousFile: string | undefined;
    if (fs.existsSync(target)) {
      await checkpointIdleDatabase(target);
      await matchOwnership(incoming, await fs.promises.stat(target));
      previousFile = `${target}.before-restore-${backupStamp(new Date())}`;
      // A second name for the old file: the rename below then swaps the data in one step, and nothing is lost.
      await fs.promises.link(target, previousFile);
    }
    await fs.promises.rename(incoming, target);
    await syncDirectory(path.dirname(target));
    return previousFile;
  } finally {
    await fs.promises.rm(incoming, { force: true });
  }
}

async function replayDump(config: Config['database'], backup: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (config.dialect === 'sqlite') return;
  const source = fs.createReadStream(backup);
  const sql = zlib.createGunzip();
  source.on('error', (error) => sql.destroy(error));
  source.pipe(sql);
  await runTool(replayCommand(config.dialect, config, env), config.password, { input: sql });
}

async function describeRestoredDatabase(config: Config['database']): Promise<Omit<RestoreResult, 'previousFile'>> {
  const db = await createDatabase(config);
  try {
    const migrations = await migrationStatus(db.sequelize);
    const [users, todos] = [await db.models.User.count(), await db.models.Todo.count()];
    return { migrations, users, todos };
  } finally {
    await db.close();
  }
}

/**
 * Restores a verified backup of the configured engine: SQLite by swapping the file, MariaDB/MySQL and
 * PostgreSQL by replaying the dump (which drops and recreates each table it holds). Then reports the
 * migrations and the accounts and todos the database now holds.
 */
export async function restoreBackup(config: Config, backup: string, env: NodeJS.ProcessEnv): Promise<RestoreResult> {
  const verification = await verifyBackup(backup);
  if (!verification.passed) {
    throw new CliError(`Refusing to restore a backup that fails verification:\n${formatVerification(verification)}`);
  }
  const engine = config.database.dialect;
  if (verification.kind !== engine) {
    throw new CliError(`${verification.file} is a ${verification.kind} backup, but DATABASE_DEFAULT is ${engine}.`);
  }
  let previousFile: string | undefined;
  try {
    if (engine === 'sqlite') previousFile = await restoreSqlite(config.database.storage, verification.file);
    else await replayDump(config.database, verification.file, env);
  } catch (error) {
    if (error instanceof CliError) throw new CliError(`Restore failed: ${error.message}`);
    throw new CliError(`Restore failed: ${redact(error instanceof Error ? error.message : String(error), config.database.password)}`);
  }
  return { previousFile, ...(await describeRestoredDatabase(config.database)) };
}
