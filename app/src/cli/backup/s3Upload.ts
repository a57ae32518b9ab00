import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3StoreSettings } from '../../config';
import { CliError } from '../cliError';
import { createS3Client, storeSecrets } from './s3Client';
import { describeS3Failure } from './s3Errors';
import { formatS3Url, keyUnder, S3Location } from '../../shared';
import { BACKUP_TIERS, type BackupTier, tierPeriod } from './backupTiers';

export interface UploadResult {
  /** The s3:// URLs written: the backup, then its manifest when there is one. */
  urls: string[];
}

/** The manifest a backup may have beside it, which travels with it. */
export function manifestFileOf(backupFile: string): string {
  return `${backupFile}.manifest.json`;
}

function encryption(store: S3StoreSettings): { ServerSideEncryption: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string } {
  return store.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: store.kmsKeyId } : { ServerSideEncryption: 'AES256' };
}

async function putFile(client: S3Client, store: S3StoreSettings, file: string, target: S3Location, contentType: string): Promise<void> {
  // lib-storage sends large files as a multipart upload, part by part, and aborts it on failure.
  const upload = new Upload({
    client,
    params: { Bucket: target.bucket, Key: target.key, Body: fs.createReadStream(file), ContentType: contentType, ...encryption(store) },
  });
  await upload.done();
}

/** Whether `tier` under `destination` already holds a backup of the same period (ISO week, month) as `name`. */
async function periodTaken(client: S3Client, destination: S3Location, tier: BackupTier, name: string): Promise<boolean> {
  const prefix = keyUnder(keyUnder(destination.key, tier), '');
  const period = tierPeriod(tier, name);
  let continuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: destination.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: continuationToken }));
    for (const { Key: key } of page.Contents ?? []) {
      const other = key?.slice(prefix.length) ?? '';
      if (other !== name && sameEngine(other, name) && tierPeriod(tier, other) === period) return true;
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return false;
}

const engineOf = (name: string) => /^todobox_([a-z]+)_\d{8}-\d{6}\./.exec(name)?.[1];
const sameEngine = (a: string, b: string) => engineOf(a) !== undefined && engineOf(a) === engineOf(b);

/**
 * Copies a backup file, and its manifest when it has one, under `destination` (a bucket and an
 * optional prefix), server-side encrypted, into the tiers of the guide's schedule: every backup into
 * `daily/`, the first of each ISO week into `weekly/` and the first of each month into `monthly/`.
 * The store's lifecycle rules expire each tier after its own time (the AWS program sets them), so the
 * servers never need the right to delete. The backup goes first: a manifest never names an object
 * that is missing.
 */
export async function uploadBackup(file: string, destination: S3Location, store: S3StoreSettings, env: NodeJS.ProcessEnv): Promise<UploadResult> {
  const client = createS3Client(store, env);
  const name = path.basename(file);
  const manifest = manifestFileOf(file);
  const transfers: Array<{ file: string; contentType: string }> = [{ file, contentType: 'application/gzip' }];
  if (fs.existsSync(manifest)) transfers.push({ file: manifest, contentType: 'application/json' });
  const urls: string[] = [];
  const describe = (error: unknown, target: S3Location) =>
    new CliError(`Upload to ${formatS3Url(target)} failed: ${describeS3Failure(error, target, storeSecrets(env))}. The backup is kept at ${file}, but is not off the host.`);
  try {
    for (const tier of BACKUP_TIERS) {
      const tierFolder = { bucket: destination.bucket, key: keyUnder(destination.key, tier) };
      if (tier !== 'daily') {
        const taken = await periodTaken(client, destination, tier, name).catch((error: unknown) => {
          throw describe(error, tierFolder);
        });
        if (taken) continue;
      }
      for (const transfer of transfers) {
        const target = { bucket: destination.bucket, key: keyUnder(tierFolder.key, path.basename(transfer.file)) };
        try {
          await putFile(client, store, transfer.file, target, transfer.contentType);
        } catch (error) {
          throw describe(error, target);
        }
        urls.push(formatS3Url(target));
      }
    }
  } finally {
    client.destroy();
  }
  return { urls };
}
