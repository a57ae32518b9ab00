import { redact } from '../redact';
import { formatS3Url, S3Location } from '../../shared';

interface SdkFailure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIAL_PROBLEMS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'CredentialsProviderError', 'ExpiredToken', 'InvalidToken']);
const UNREACHABLE = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError'];

/** The network failure behind an error: its code, or the one its message names (the SDK may wrap it in a plain message). */
function networkFailure(failure: SdkFailure): string | undefined {
  const named = [failure.code, failure.name].find((value) => value !== undefined && UNREACHABLE.includes(value));
  return named ?? UNREACHABLE.find((code) => new RegExp(`\\b${code}\\b`).test(failure.message ?? ''));
}

function explain(failure: SdkFailure, location: S3Location): string {
  const name = failure.name ?? '';
  const status = failure.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return `the bucket "${location.bucket}" does not exist (BACKUP_S3_URL or the s3:// URL names it)`;
  if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) return `there is no object ${formatS3Url(location)}`;
  if (CREDENTIAL_PROBLEMS.has(name)) {
    return 'the store refused the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the instance role)';
  }
  if (name === 'AccessDenied' || status === 403) return `access denied to ${formatS3Url(location)}: the credentials lack the permission`;
  if (name === 'TimeoutError' || /requestTimeout/.test(failure.message ?? '')) {
    return 'the store did not answer in time (BACKUP_S3_TIMEOUT_SECONDS): check that BACKUP_S3_ENDPOINT is an S3 API and that it is healthy';
  }
  const network = networkFailure(failure);
  if (network) return `the store cannot be reached (${network}): check BACKUP_S3_ENDPOINT and the network`;
  return `${name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${failure.message ?? 'no details'}`;
}

/** One sentence about a failed store operation, naming its cause and never a secret. */
export function describeS3Failure(error: unknown, location: S3Location, secrets: string[]): string {
  const failure: SdkFailure = typeof error === 'object' && error !== null ? (error as SdkFailure) : { message: String(error) };
  return redact(explain(failure, location), ...secrets);
}
