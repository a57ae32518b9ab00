import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { DatabaseDialect, S3StoreSettings } from '../../config';
import { CliError } from '../cliError';
import { backupNamePattern } from './backupFiles';
import { createS3Client, storeSecrets } from './s3Client';
import { describeS3Failure } from './s3Errors';
import { formatS3Url, isS3Url, parseS3Url, S3Location } from '../../shared';
import { BACKUP_TIERS } from './backupTiers';

export interface BackupSourceOptions {
  /** Treat the URL as a folder and take the newest backup of the configured engine in it. */
  latest: boolean;
  /** Read only for an s3:// source, so a local file is checked without any configuration. */
  settings: () => { engine: DatabaseDialect; store: S3StoreSettings };
  env: NodeJS.ProcessEnv;
}

function locationOf(url: string): S3Location {
  const parsed = parseS3Url(url);
  if ('problem' in parsed) throw new CliError(`${url}: ${parsed.problem}`);
  return parsed;
}

/**
 * The key of the newest backup of `engine` under the folder, directly or in one of its tiers
 * (daily/, weekly/, monthly/: names carry their UTC time, so they sort). Of copies of one backup in
 * several tiers, the daily one.
 */
async function newestBackupKey(client: S3Client, folder: S3Location, engine: DatabaseDialect): Promise<string> {
  const prefix = folder.key === '' || folder.key.endsWith('/') ? folder.key : `${folder.key}/`;
  const pattern = backupNamePattern(engine);
  const places = ['', ...BACKUP_TIERS.map((tier) => `${tier}/`)];
  let newest: { key: string; name: string } | undefined;
  for (const place of places) {
    let continuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: folder.bucket, Prefix: `${prefix}${place}`, Delimiter: '/', ContinuationToken: continuationToken }));
      for (const { Key: key } of page.Contents ?? []) {
        const name = key?.slice(prefix.length + place.length) ?? '';
        if (key && pattern.test(name) && (newest === undefined || name > newest.name)) newest = { key, name };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }
  if (newest === undefined) throw new CliError(`There is no ${engine} backup under ${formatS3Url({ ...folder, key: prefix })}.`);
  return newest.key;
}

/** Streams the object into a new file of mode 0600 in a private folder (mode 0700). */
async function download(client: S3Client, object: S3Location, dir: string): Promise<string> {
  const file = path.join(dir, path.posix.basename(object.key));
  const response = await client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  if (!(response.Body instanceof Readable)) throw new CliError(`${formatS3Url(object)} came back without a body.`);
  await pipeline(response.Body, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  return file;
}

/**
 * Runs `work` on a local backup: the path itself, or for an s3:// URL a private temporary copy of
 * the object (removed afterwards), so a downloaded backup passes every check a local one does.
 */
export async function withLocalBackup<T>(source: string, options: BackupSourceOptions, work: (file: string, origin: string) => Promise<T>): Promise<T> {
  if (!isS3Url(source)) {
    if (options.latest) throw new CliError('--latest needs an s3:// folder, e.g. s3://bucket/backups/');
    return work(source, source);
  }
  const location = locationOf(source);
  if (!options.latest && (location.key === '' || location.key.endsWith('/'))) {
    throw new CliError(`${source} names a folder: give the backup's key, or add --latest for the newest backup in it.`);
  }
  const { engine, store } = options.settings();
  const client = createS3Client(store, options.env);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'todobox-s3-'));
  try {
    let object = location;
    let file: string;
    try {
      object = options.latest ? { bucket: location.bucket, key: await newestBackupKey(client, location, engine) } : location;
      file = await download(client, object, dir);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`Download of ${formatS3Url(object)} failed: ${describeS3Failure(error, object, storeSecrets(options.env))}`);
    }
    const origin = formatS3Url(object);
    try {
      return await work(file, origin);
    } catch (error) {
      // The temporary copy is gone once this returns: messages name the object instead.
      if (error instanceof CliError) throw new CliError(error.message.split(file).join(origin));
      throw error;
    }
  } finally {
    client.destroy();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
