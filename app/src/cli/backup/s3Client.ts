import { S3Client } from '@aws-sdk/client-s3';
import type { S3StoreSettings } from '../../config';

/** The region S3-compatible stores accept when none is set (AWS itself needs the bucket's). */
const DEFAULT_REGION = 'us-east-1';
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Static keys when the command's environment holds them (the SDK's own variables), else the SDK's
 * default chain (~/.aws, SSO, the instance or task role). Keys are never read from the command line.
 */
type StaticKeys = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;

function credentialsFrom(env: NodeJS.ProcessEnv): StaticKeys | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return async () => ({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
}

/** The secrets a message about the store must never show. */
export function storeSecrets(env: NodeJS.ProcessEnv): string[] {
  return [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((secret): secret is string => Boolean(secret));
}

export function createS3Client(store: S3StoreSettings, env: NodeJS.ProcessEnv): S3Client {
  return new S3Client({
    region: store.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
    endpoint: store.endpoint,
    forcePathStyle: store.forcePathStyle,
    credentials: credentialsFrom(env),
    // Checksums only where an operation requires them: S3-compatible stores reject the headers
    // recent SDKs add by default, and gzip plus backup:verify already detect a damaged copy.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, store.timeoutSeconds * 1000),
      requestTimeout: store.timeoutSeconds * 1000,
      throwOnRequestTimeout: true,
    },
  });
}
