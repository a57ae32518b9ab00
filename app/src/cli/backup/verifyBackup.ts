import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import sqlite3 from 'sqlite3';

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
  checks: VerifyCheck[];
  passed: boolean;
}

/** The tables without which a backup could not bring TodoBox back. */
export const REQUIRED_TABLES = ['users', 'todo', 'schema_migrations'];

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const CREATE_TABLE = /^CREATE TABLE (?:IF NOT EXISTS )?(?:[`"]?\w+[`"]?\.)?[`"]?(\w+)[`"]? \(/;
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

async function verifySqlDump(file: string): Promise<Pick<Verification, 'kind' | 'checks'>> {
  const head: string[] = [];
  const tail: string[] = [];
  const tables = new Set<string>();
  let bytes = 0;
  const reader = lineReader((line) => {
    bytes += Buffer.byteLength(line) + 1;
    if (head.length < HEADER_LINES) head.push(line);
    const table = CREATE_TABLE.exec(line)?.[1];
    if (table) tables.add(table);
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
  const missing = REQUIRED_TABLES.filter((table) => !tables.has(table));
  checks.push(
    check('tables', missing.length === 0, missing.length ? `no CREATE TABLE for ${missing.join(', ')}` : `CREATE TABLE for ${REQUIRED_TABLES.join(', ')}`),
  );
  const complete = tail.some((line) => dump.trailer.test(line));
  checks.push(check('complete', complete, complete ? `ends with "${dump.trailerText}"` : `no "${dump.trailerText}" line at the end: the dump was cut short`));
  return { kind, checks };
}

function querySqlite<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
}

async function inspectSqliteFile(file: string): Promise<VerifyCheck[]> {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.read(header, 0, header.length, 0);
  } finally {
    await handle.close();
  }
  if (!header.equals(SQLITE_HEADER)) return [check('header', false, 'not an SQLite database file')];
  const checks = [check('header', true, 'an SQLite database file')];
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => (error ? reject(error) : resolve(opened)));
  });
  try {
    const integrity = await querySqlite<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    const problems = integrity.map((row) => row.integrity_check).filter((result) => result !== 'ok');
    checks.push(check('integrity', problems.length === 0, problems.length ? problems.slice(0, 3).join('; ') : 'PRAGMA integrity_check: ok'));
    const tables = (await querySqlite<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table'")).map((row) => row.name);
    const missing = REQUIRED_TABLES.filter((table) => !tables.includes(table));
    checks.push(check('tables', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : `has ${REQUIRED_TABLES.join(', ')}`));
    if (missing.length === 0) {
      const [{ count }] = await querySqlite<{ count: number }>(db, 'SELECT COUNT(*) AS count FROM schema_migrations');
      checks.push(check('migrations', count > 0, `${count} migration(s) recorded in schema_migrations`));
    }
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
  return checks;
}

/** Decompresses into a private temporary folder and inspects the copy (the backup itself is never opened by SQLite). */
async function verifySqliteFile(file: string): Promise<Pick<Verification, 'kind' | 'checks'>> {
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
      checks.push(...(await inspectSqliteFile(copy)));
    } catch (error) {
      checks.push(check('integrity', false, `SQLite cannot read it: ${reasonOf(error)}`));
    }
    return { kind: 'sqlite', checks };
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Checks that a backup decompresses and holds a complete TodoBox database; never changes the file. */
export async function verifyBackup(file: string): Promise<Verification> {
  const resolved = path.resolve(file);
  let result: Pick<Verification, 'kind' | 'checks'>;
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

export function formatVerification(verification: Verification): string {
  const lines = verification.checks.map((item) => `  ${item.passed ? 'PASS' : 'FAIL'}  ${item.name}: ${item.detail}`);
  lines.push(`${verification.passed ? 'PASS' : 'FAIL'}  ${verification.file}`);
  return `${lines.join('\n')}\n`;
}
