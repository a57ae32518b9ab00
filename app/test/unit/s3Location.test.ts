import { loadConfig } from '../../src/config';
import { describeS3Failure } from '../../src/cli/backup/s3Errors';
import { keyUnder, parseS3Url } from '../../src/shared';

describe('s3:// URLs of backups', () => {
  it('parses a bucket with or without a key or prefix', () => {
    expect(parseS3Url('s3://todobox-backups')).toEqual({ bucket: 'todobox-backups', key: '' });
    expect(parseS3Url('s3://todobox-backups/')).toEqual({ bucket: 'todobox-backups', key: '' });
    expect(parseS3Url('s3://todobox.backups/nightly/host-1/')).toEqual({ bucket: 'todobox.backups', key: 'nightly/host-1/' });
  });

  it.each([
    ['https://todobox-backups/x', 'must be an s3:// URL'],
    ['s3://', 'must be an s3:// URL'],
    ['s3://UPPER/x', '"UPPER" is not a bucket name'],
    ['s3://ab/x', '"ab" is not a bucket name'],
    ['s3://todobox-backups//x', 'empty folder names'],
  ])('refuses %s', (url, problem) => {
    expect(parseS3Url(url)).toEqual({ problem: expect.stringContaining(problem) });
  });

  it('puts a name under a prefix given with or without its "/"', () => {
    expect(keyUnder('', 'a.gz')).toBe('a.gz');
    expect(keyUnder('nightly', 'a.gz')).toBe('nightly/a.gz');
    expect(keyUnder('nightly/', 'a.gz')).toBe('nightly/a.gz');
  });
});

describe('the store settings', () => {
  const load = (env: Record<string, string>) => loadConfig(env, { readDotenv: false }).backup;

  it('reads the destination, the endpoint, path-style addressing and the KMS key', () => {
    const backup = load({
      BACKUP_S3_URL: 's3://todobox-backups/nightly',
      BACKUP_S3_ENDPOINT: 'http://127.0.0.1:9000',
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_S3_KMS_KEY_ID: 'alias/todobox-backups',
    });
    expect(backup.s3Url).toEqual({ bucket: 'todobox-backups', key: 'nightly' });
    expect(backup.s3Store).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      region: undefined,
      kmsKeyId: 'alias/todobox-backups',
      timeoutSeconds: 120,
    });
    expect(load({}).s3Store.forcePathStyle).toBe(false);
    expect(load({}).s3Url).toBeUndefined();
  });

  it.each([
    [{ BACKUP_S3_URL: 'todobox-backups/nightly' }, 'BACKUP_S3_URL: must be an s3:// URL'],
    [{ BACKUP_S3_ENDPOINT: 'ftp://store.example.com' }, 'BACKUP_S3_ENDPOINT: must be an http:// or https:// URL'],
    [{ BACKUP_S3_FORCE_PATH_STYLE: 'sometimes' }, 'BACKUP_S3_FORCE_PATH_STYLE'],
    [{ BACKUP_S3_REGION: 'EU West' }, 'BACKUP_S3_REGION: must be a region name'],
    [{ BACKUP_S3_TIMEOUT_SECONDS: '0' }, 'BACKUP_S3_TIMEOUT_SECONDS'],
  ])('refuses %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});

describe('messages about a failed store operation', () => {
  const object = { bucket: 'todobox-backups', key: 'nightly/todobox_sqlite_20261101-020000.sqlite.gz' };

  it.each([
    [{ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }, 'there is no object s3://todobox-backups/nightly/'],
    [{ name: 'NoSuchBucket' }, 'the bucket "todobox-backups" does not exist'],
    [{ name: 'InvalidAccessKeyId' }, 'the store refused the credentials'],
    [{ name: 'SignatureDoesNotMatch' }, 'the store refused the credentials'],
    [{ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, 'access denied to s3://todobox-backups/'],
    [{ name: 'TimeoutError', code: 'ETIMEDOUT', message: 'a request has exceeded the configured 1000 ms requestTimeout.' }, 'did not answer in time'],
    [{ name: 'Error', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND s3.example.com' }, 'cannot be reached (ENOTFOUND)'],
    [{ name: 'Error', message: 'AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1' }, 'cannot be reached (ECONNREFUSED)'],
  ])('explains %j', (error, message) => {
    expect(describeS3Failure(error, object, [])).toContain(message);
  });

  it('never repeats a secret that a store quotes back', () => {
    const secret = 'quoted-secret-5hd8';
    const text = describeS3Failure({ name: 'InternalError', message: `bad key ${secret}` }, object, [secret]);
    expect(text).toContain('InternalError');
    expect(text).not.toContain(secret);
  });
});
