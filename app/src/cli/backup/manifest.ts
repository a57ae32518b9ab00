import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { writeFileAtomically } from './backupFiles';

/** The manifest's name beside its backup: readers (verify, pruning, the S3 upload) find it by this name only. */
export function manifestPathFor(backupFile: string): string {
  return `${backupFile}.manifest.json`;
}

const binaryLogSchema = z.object({ file: z.string().min(1), position: z.number().int().nonnegative() });

const manifestSchema = z.object({
  format: z.literal(1),
  engine: z.enum(['sqlite', 'mysql', 'postgres']),
  appVersion: z.string(),
  schema: z.object({ latestMigration: z.string().nullable(), appliedMigrations: z.array(z.string()) }),
  tables: z.record(z.string(), z.number().int().nonnegative()),
  file: z.object({ name: z.string(), sizeBytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime(),
  durationMs: z.number().nonnegative(),
  /** MySQL/MariaDB only; null with a reason when the server keeps no binary log or the account may not read it. */
  binaryLog: binaryLogSchema.nullable().optional(),
  binaryLogNote: z.string().optional(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export interface FileDigest {
  sizeBytes: number;
  sha256: string;
}

export async function digestFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return { sizeBytes: (await fs.promises.stat(file)).size, sha256: hash.digest('hex') };
}

export async function writeManifest(backupFile: string, manifest: BackupManifest): Promise<string> {
  const file = manifestPathFor(backupFile);
  await writeFileAtomically(file, `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  return file;
}

export type ManifestReading = { state: 'missing' } | { state: 'invalid'; reason: string } | { state: 'found'; manifest: BackupManifest };

export async function readManifest(backupFile: string): Promise<ManifestReading> {
  let text: string;
  try {
    text = await fs.promises.readFile(manifestPathFor(backupFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { state: 'invalid', reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    return { state: 'invalid', reason: result.error.issues.map((issue) => `${issue.path.join('.') || 'manifest'}: ${issue.message}`).join('; ') };
  }
  return { state: 'found', manifest: result.data };
}

/** The differences between the row counts a manifest records and those a backup holds, e.g. "todo: 3 recorded, 2 found". */
export function rowCountDifferences(recorded: Record<string, number>, found: Record<string, number>): string[] {
  const tables = [...new Set([...Object.keys(recorded), ...Object.keys(found)])].sort();
  return tables
    .filter((table) => recorded[table] !== found[table])
    .map((table) => `${table}: ${recorded[table] ?? 'none'} recorded, ${found[table] ?? 'none'} found`);
}
