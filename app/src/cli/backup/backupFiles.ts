import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseDialect } from '../../config';

/** SQLite backups are a gzipped database file; the server engines' are a gzipped SQL dump. */
export function backupExtension(engine: DatabaseDialect): string {
  return engine === 'sqlite' ? '.sqlite.gz' : '.sql.gz';
}

/** "20261101-020000" in UTC, so names sort by time and mean the same on every server. */
export function backupStamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** When the backup named `name` was started, from the stamp in its name. */
export function backupStartedAt(name: string): Date | undefined {
  const stamp = /_(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\./.exec(path.basename(name));
  if (!stamp) return undefined;
  const [year, month, day, hour, minute, second] = stamp.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function backupFileName(engine: DatabaseDialect, date: Date): string {
  return `todobox_${engine}_${backupStamp(date)}${backupExtension(engine)}`;
}

export function backupNamePattern(engine: DatabaseDialect): RegExp {
  return new RegExp(`^todobox_${engine}_\\d{8}-\\d{6}${backupExtension(engine).replace(/\./g, '\\.')}$`);
}

/** The engine's backups in `dir`, oldest first (the stamp in the name orders them). */
export function listBackups(dir: string, engine: DatabaseDialect): string[] {
  const pattern = backupNamePattern(engine);
  return fs
    .readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/** A name beside `target` that no reader looks for: hidden, and without the target's extension at the end. */
export function temporaryNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}`);
}

/** Flushes a written file's data to disk (fsync applies to the file, whichever descriptor asks). */
export async function syncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename inside `dir` survive a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  await syncFile(dir);
}

/** Writes `content` to `target` through a temporary file and a rename, so readers see the old or the new file, never half. */
export async function writeFileAtomically(target: string, content: string, mode: number): Promise<void> {
  const temporary = temporaryNameFor(target);
  try {
    const handle = await fs.promises.open(temporary, 'w', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.chmod(temporary, mode);
    await fs.promises.rename(temporary, target);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(target));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
