/** An object or a folder ("prefix") in a bucket of S3 or of an S3-compatible store. */
export interface S3Location {
  bucket: string;
  /** The object's key, or the folder's prefix (empty for the bucket's top, else ending in "/" when it names a folder). */
  key: string;
}

export const S3_URL_FORM = 's3://<bucket>/<optional/prefix>';

// S3's bucket naming rules (3 to 63 lower-case letters, digits, dots and hyphens; a letter or digit at each end).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Url(value: string): boolean {
  return value.startsWith('s3://');
}

/** Parses `s3://bucket/key`, or returns the reason it is not one. */
export function parseS3Url(value: string): S3Location | { problem: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value.trim());
  if (!match) return { problem: `must be an s3:// URL (${S3_URL_FORM})` };
  const [, bucket, key = ''] = match;
  if (!BUCKET_NAME.test(bucket)) {
    return { problem: `"${bucket}" is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens` };
  }
  if (key.startsWith('/') || key.includes('//')) return { problem: 'the key or prefix must not contain empty folder names ("//")' };
  return { bucket, key };
}

export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The key of `name` under a prefix given with or without its closing "/". */
export function keyUnder(prefix: string, name: string): string {
  if (prefix === '') return name;
  return prefix.endsWith('/') ? `${prefix}${name}` : `${prefix}/${name}`;
}
