import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import sqlite3 from 'sqlite3';
import { DumpContents, DumpContentsReader } from './dumpContents';
import { digestFile, manifestPathFor, readManifest, rowCountDifferences } from './manifest';

export type BackupKind = 'sqlite' | 'mysql' | 'postgres';

export interface VerifyCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface Verification {
  file: string;
  /** What the backup holds, once its content says so. */
  kind?: BackupKind;
  /** Rows per table (and for MySQL/MariaDB the binary-log position), once the content could be read. */
  contents?: DumpContents;
  checks: VerifyCheck[];
  passed: boolean;
}

/** The tables without which a backup could not bring TodoBox back. */
export const REQUIRED_TABLES = ['users', 'todo', 'schema_migrations'];

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const SQL_DUMPS = {
  mysql: { header: /^-- (?:MariaDB|MySQL) dump /, trailer: /^-- Dump completed/, trailerText: '-- Dump completed' },
  postgres: { header: /^-- PostgreSQL database dump$/, trailer: /^-- PostgreSQL database dump complete$/, trailerText: 'PostgreSQL database dump complete' },
} as const;
/** Dumps start with a few lines of settings before their header comment. */
const HEADER_LINES = 5;
const TRAILER_LINES = 5;

const check = (name: string, passed: boolean, detail: string): VerifyCheck => ({ name, passed, detail });
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Splits decompressed text into lines without holding the whole dump in memory. */
function lineReader(onLine: (line: string) => void): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(onLine);
      done();
    },
    final(done) {
      if (rest) onLine(rest);
      done();
    },
  });
}

type Inspection = Pick<Verification, 'kind' | 'checks' | 'contents'>;

async function verifySqlDump(file: string): Promise<Inspection> {
  const head: string[] = [];
  const tail: string[] = [];
  const contents = new DumpContentsReader();
  let bytes = 0;
  const reader = lineReader((line) => {
    bytes += Buffer.byteLength(line) + 1;
    if (head.length < HEADER_LINES) head.push(line);
    contents.line(line);
    if (line.trim() !== '' && line.trim() !== '--') {
      tail.push(line);
      if (tail.length > TRAILER_LINES) tail.shift();
    }
  });
  try {
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), reader);
  } catch (error) {
    return { checks: [check('gzip', false, `the file does not decompress: ${reasonOf(error)}`)] };
  }
  const checks = [check('gzip', true, `decompresses to ${bytes} bytes`)];
  const kind = (Object.keys(SQL_DUMPS) as Array<keyof typeof SQL_DUMPS>).find((engine) =>
    head.some((line) => SQL_DUMPS[engine].header.test(line)),
  );
  if (!kind) {
    checks.push(check('header', false, 'no mysqldump or pg_dump header in the first lines'));
    return { checks };
  }
  const dump = SQL_DUMPS[kind];
  checks.push(check('header', true, kind === 'mysql' ? 'a mysqldump dump' : 'a pg_dump dump'));
  const tables = contents.tables();
  const missing = REQUIRED_TABLES.filter((table) => !tables.includes(table));
  checks.push(
    check('tables', missing.length === 0, missing.length ? `no CREATE TABLE for ${missing.join(', ')}` : `CREATE TABLE for ${REQUIRED_TABLES.join(', ')}`),
  );
  const complete = tail.some((line) => dump.trailer.test(line));
  checks.push(check('complete', complete, complete ? `ends with "${dump.trailerText}"` : `no "${dump.trailerText}" line at the end: the dump was cut short`));
  return { kind, checks, contents: contents.contents() };
}

function querySqlite<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
}

async function countSqliteRows(db: sqlite3.Database, tables: string[]): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const table of tables) {
    const [{ count }] = await querySqlite<{ count: number }>(db, `SELECT COUNT(*) AS count FROM "${table.replace(/"/g, '""')}"`);
    rows[table] = count;
  }
  return rows;
}

async function inspectSqliteFile(file: string): Promise<Omit<Inspection, 'kind'>> {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.read(header, 0, header.length, 0);
  } finally {
    await handle.close();
  }
  if (!header.equals(SQLITE_HEADER)) return { checks: [check('header', false, 'not an SQLite database file')] };
  const checks = [check('header', true, 'an SQLite database file')];
  let contents: DumpContents | undefined;
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => (error ? reject(error) : resolve(opened)));
  });
  try {
    const integrity = await querySqlite<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    const problems = integrity.map((row) => row.integrity_check).filter((result) => result !== 'ok');
    checks.push(check('integrity', problems.length === 0, problems.length ? problems.slice(0, 3).join('; ') : 'PRAGMA integrity_check: ok'));
    const tables = (await querySqlite<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map(
      (row) => row.name,
    );
    const missing = REQUIRED_TABLES.filter((table) => !tables.includes(table));
    checks.push(check('tables', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : `has ${REQUIRED_TABLES.join(', ')}`));
    if (missing.length === 0) {
      const [{ count }] = await querySqlite<{ count: number }>(db, 'SELECT COUNT(*) AS count FROM schema_migrations');
      checks.push(check('migrations', count > 0, `${count} migration(s) recorded in schema_migrations`));
    }
    if (problems.length === 0) contents = { rows: await countSqliteRows(db, tables) };
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
  return { checks, contents };
}

/** Decompresses into a private temporary folder and inspects the copy (the backup itself is never opened by SQLite). */
async function verifySqliteFile(file: string): Promise<Inspection> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'todobox-verify-'));
  const copy = path.join(dir, 'backup.sqlite');
  try {
    try {
      await pipeline(fs.createReadStream(file), zlib.createGunzip(), fs.createWriteStream(copy));
    } catch (error) {
      return { checks: [check('gzip', false, `the file does not decompress: ${reasonOf(error)}`)] };
    }
    const checks = [check('gzip', true, `decompresses to ${(await fs.promises.stat(copy)).size} bytes`)];
    try {
      const inspected = await inspectSqliteFile(copy);
      checks.push(...inspected.checks);
      return { kind: 'sqlite', checks, contents: inspected.contents };
    } catch (error) {
      checks.push(check('integrity', false, `SQLite cannot read it: ${reasonOf(error)}`));
      return { kind: 'sqlite', checks };
    }
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Checks that a backup decompresses and holds a complete TodoBox database, and counts its rows; never changes the file. */
export async function inspectBackup(file: string): Promise<Verification> {
  const resolved = path.resolve(file);
  let result: Inspection;
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
    result = { checks: [check('file', false, 'no such file')] };
  } else if (resolved.endsWith('.sqlite.gz')) {
    result = await verifySqliteFile(resolved);
  } else if (resolved.endsWith('.sql.gz')) {
    result = await verifySqlDump(resolved);
  } else {
    result = { checks: [check('file', false, 'a backup ends in .sqlite.gz (SQLite) or .sql.gz (a SQL dump)')] };
  }
  return { file: resolved, ...result, passed: result.checks.every((item) => item.passed) };
}

/** Holds a backup to the manifest written beside it: the same bytes, the same engine, the same rows. */
async function manifestChecks(inspection: Verification): Promise<VerifyCheck[]> {
  const reading = await readManifest(inspection.file);
  const name = path.basename(manifestPathFor(inspection.file));
  if (reading.state === 'missing') return [check('manifest', true, `no ${name} beside it: size, checksum and row counts not checked`)];
  if (reading.state === 'invalid') return [check('manifest', false, `${name} is not a TodoBox manifest: ${reading.reason}`)];
  const { manifest } = reading;
  const digest = await digestFile(inspection.file);
  const checks = [
    check(
      'checksum',
      digest.sha256 === manifest.file.sha256 && digest.sizeBytes === manifest.file.sizeBytes,
      digest.sha256 === manifest.file.sha256 && digest.sizeBytes === manifest.file.sizeBytes
        ? `SHA-256 and size (${digest.sizeBytes} bytes) match ${name}`
        : `the file is ${digest.sizeBytes} bytes with SHA-256 ${digest.sha256}, but ${name} records ${manifest.file.sizeBytes} bytes with ${manifest.file.sha256}`,
    ),
  ];
  if (inspection.kind && inspection.kind !== manifest.engine) {
    checks.push(check('engine', false, `the file holds a ${inspection.kind} backup, but ${name} says ${manifest.engine}`));
  }
  if (inspection.contents) {
    const differences = rowCountDifferences(manifest.tables, inspection.contents.rows);
    const total = Object.values(inspection.contents.rows).reduce((sum, count) => sum + count, 0);
    checks.push(
      check(
        'rows',
        differences.length === 0,
        differences.length ? `row counts differ from ${name}: ${differences.join(', ')}` : `${total} rows in ${Object.keys(manifest.tables).length} tables, as ${name} records`,
      ),
    );
  }
  return checks;
}

/** inspectBackup, then the manifest's checksum, size, engine and row counts when the manifest is there. */
export async function verifyBackup(file: string): Promise<Verification> {
  const inspection = await inspectBackup(file);
  if (inspection.checks.some((item) => item.name === 'file' && !item.passed)) return inspection;
  const checks = [...inspection.checks, ...(await manifestChecks(inspection))];
  return { ...inspection, checks, passed: checks.every((item) => item.passed) };
}

export function formatVerification(verification: Verification): string {
  const lines = verification.checks.map((item) => `  ${item.passed ? 'PASS' : 'FAIL'}  ${item.name}: ${item.detail}`);
  lines.push(`${verification.passed ? 'PASS' : 'FAIL'}  ${verification.file}`);
  return `${lines.join('\n')}\n`;
}
