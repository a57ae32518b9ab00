import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { BACKUP_S3_PREFIX, BACKUP_TIERS, MONTHLY_ARCHIVE_TRANSITIONS, NONCURRENT_VERSION_DAYS, tierPrefix, type BackupTier } from './backupSchedule';
import type { StackConfig } from './config';
import type { Naming } from './naming';
import { accountKey } from './accountKey';
import { tlsOnlyStatement } from './tlsOnly';

const INCOMPLETE_UPLOAD_DAYS = 7;

export interface BackupBucket {
  bucket: aws.s3.Bucket;
  /** Encrypts every backup: reading one takes kms:Decrypt on it besides s3:GetObject. */
  key: aws.kms.Key;
  /** BACKUP_S3_URL: where `todobox backup` uploads, each tier below it. */
  url: pulumi.Output<string>;
}

/** What only lifecycle rules and the operators do: no host may remove a backup or change the rules that keep them. */
export const BACKUP_DESTRUCTIVE_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
  's3:PutLifecycleConfiguration',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketVersioning',
  's3:PutBucketObjectLockConfiguration',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
  's3:PutEncryptionConfiguration',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketAcl',
  's3:PutObjectAcl',
  's3:DeleteBucket',
];

function expiryRule(tier: BackupTier): aws.types.input.s3.BucketLifecycleConfigurationRule {
  return {
    id: `expire-${tier}`,
    status: 'Enabled',
    filter: { prefix: tierPrefix(tier) },
    expiration: { days: BACKUP_TIERS[tier].expireAfterDays },
    ...(tier === 'monthly' ? { transitions: MONTHLY_ARCHIVE_TRANSITIONS.map((transition) => ({ ...transition })) } : {}),
  };
}

function tlsOnlyPolicy(bucketArn: pulumi.Output<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: [tlsOnlyStatement(bucketArn)] });
}

/**
 * The off-host copy of `todobox backup`: a private, versioned bucket encrypted with a KMS key of its own
 * (an S3 Bucket Key cuts the KMS requests, and their cost, by reusing a bucket-level data key). Its
 * lifecycle rules are the guide's schedule, and the only thing that ever deletes a backup.
 */
export function createBackupBucket(config: StackConfig, naming: Naming): BackupBucket {
  const key = accountKey('backups-key', `Encrypts the TodoBox ${config.stack} database backups in S3`, naming);
  new aws.kms.Alias(naming.name('backups-key-alias'), { name: `alias/${naming.name('backups')}`, targetKeyId: key.keyId });

  const bucket = new aws.s3.Bucket(naming.name('backups'), {
    // A production stack's backups outlive `pulumi destroy` until someone empties the bucket on purpose.
    forceDestroy: !config.isProduction,
    tags: naming.tags('backups'),
  });
  new aws.s3.BucketPublicAccessBlock(naming.name('backups-public-access'), {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketOwnershipControls(naming.name('backups-ownership'), { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  // An overwritten backup keeps its previous version, which only the lifecycle rules remove.
  const versioning = new aws.s3.BucketVersioning(naming.name('backups-versioning'), { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
  new aws.s3.BucketServerSideEncryptionConfiguration(naming.name('backups-encryption'), {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketLifecycleConfiguration(
    naming.name('backups-schedule'),
    {
      bucket: bucket.id,
      rules: [
        expiryRule('daily'),
        expiryRule('weekly'),
        expiryRule('monthly'),
        {
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
          abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
        },
        // Once a backup's last version has gone, its delete marker goes too.
        { id: 'remove-delete-markers', status: 'Enabled', filter: {}, expiration: { expiredObjectDeleteMarker: true } },
      ],
    },
    // Lifecycle rules on a bucket without versioning would delete the current object outright.
    { dependsOn: [versioning] },
  );
  new aws.s3.BucketPolicy(naming.name('backups-tls-only'), { bucket: bucket.id, policy: tlsOnlyPolicy(bucket.arn) });
  return { bucket, key, url: pulumi.interpolate`s3://${bucket.id}/${BACKUP_S3_PREFIX}` };
}

/**
 * The app servers' rights on the bucket: write and read backups, list them, nothing that removes one.
 * The explicit Deny wins over any Allow another policy of the role may grant later.
 */
export function backupWriterPolicy(backups: Pick<BackupBucket, 'bucket' | 'key'>): pulumi.Output<string> {
  const bucketArn = backups.bucket.arn;
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListBackups', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
      { Sid: 'WriteAndReadBackups', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: [pulumi.interpolate`${bucketArn}/*`] },
      // The bucket's key through S3 only: encrypt on upload, decrypt on download.
      {
        Sid: 'UseBackupKeyThroughS3',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [backups.key.arn],
        Condition: { StringEquals: { 'kms:ViaService': pulumi.interpolate`s3.${aws.getRegionOutput().region}.amazonaws.com` } },
      },
      { Sid: 'NeverDestroyBackups', Effect: 'Deny', Action: BACKUP_DESTRUCTIVE_ACTIONS, Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`] },
    ],
  });
}
