import fs from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3StoreSettings } from '../../config';
import { CliError } from '../cliError';
import { createS3Client, storeSecrets } from './s3Client';
import { describeS3Failure } from './s3Errors';
import { formatS3Url, keyUnder, S3Location } from '../../shared';

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

/**
 * Copies a backup file, and its manifest when it has one, under `destination` (a bucket and an
 * optional prefix), server-side encrypted. The backup goes first: a manifest never names an object
 * that is missing.
 */
export async function uploadBackup(file: string, destination: S3Location, store: S3StoreSettings, env: NodeJS.ProcessEnv): Promise<UploadResult> {
  const client = createS3Client(store, env);
  const manifest = manifestFileOf(file);
  const transfers: Array<{ file: string; contentType: string }> = [{ file, contentType: 'application/gzip' }];
  if (fs.existsSync(manifest)) transfers.push({ file: manifest, contentType: 'application/json' });
  const urls: string[] = [];
  try {
    for (const transfer of transfers) {
      const target = { bucket: destination.bucket, key: keyUnder(destination.key, path.basename(transfer.file)) };
      try {
        await putFile(client, store, transfer.file, target, transfer.contentType);
      } catch (error) {
        const reason = describeS3Failure(error, target, storeSecrets(env));
        throw new CliError(`Upload to ${formatS3Url(target)} failed: ${reason}. The backup is kept at ${file}, but is not off the host.`);
      }
      urls.push(formatS3Url(target));
    }
  } finally {
    client.destroy();
  }
  return { urls };
}
