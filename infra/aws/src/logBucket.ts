import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config';
import type { Naming } from './naming';
import { tlsOnlyStatement } from './tlsOnly';

/** Where each service writes in the log bucket; each adds `AWSLogs/<account>/...` below its prefix. */
export const ALB_ACCESS_LOG_PREFIX = 'alb';
export const FLOW_LOG_PREFIX = 'vpc-flow-logs';

/**
 * ALB access logs are delivered by this service principal in every region, those opened before August 2022
 * (us-east-1, eu-west-1, ...) included: there AWS still accepts its legacy policy naming the region's ELB account
 * (aws.elb.getServiceAccount), which it recommends replacing with this one, and the newer regions have no such account.
 */
const ELB_LOG_DELIVERY = 'logdelivery.elasticloadbalancing.amazonaws.com';
/** VPC flow logs (and other vended logs) are delivered by this one. */
const VENDED_LOG_DELIVERY = 'delivery.logs.amazonaws.com';
const INCOMPLETE_UPLOAD_DAYS = 7;

export interface LogBucket {
  bucket: aws.s3.Bucket;
  /** The policy letting the services write: whatever logs to the bucket must wait for it. */
  policy: aws.s3.BucketPolicy;
}

function deliveryPolicy(bucketArn: pulumi.Output<string>): pulumi.Output<string> {
  const account = aws.getCallerIdentityOutput().accountId;
  const region = aws.getRegionOutput().region;
  const partition = aws.getPartitionOutput().partition;
  const fromThisAccount = { StringEquals: { 'aws:SourceAccount': account } };
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AlbAccessLogs',
        Effect: 'Allow',
        Principal: { Service: ELB_LOG_DELIVERY },
        Action: 's3:PutObject',
        Resource: pulumi.interpolate`${bucketArn}/${ALB_ACCESS_LOG_PREFIX}/AWSLogs/${account}/*`,
      },
      {
        Sid: 'FlowLogs',
        Effect: 'Allow',
        Principal: { Service: VENDED_LOG_DELIVERY },
        Action: 's3:PutObject',
        Resource: pulumi.interpolate`${bucketArn}/${FLOW_LOG_PREFIX}/AWSLogs/${account}/*`,
        Condition: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': pulumi.interpolate`arn:${partition}:logs:${region}:${account}:*` },
        },
      },
      {
        Sid: 'FlowLogsBucketCheck',
        Effect: 'Allow',
        Principal: { Service: VENDED_LOG_DELIVERY },
        Action: ['s3:GetBucketAcl', 's3:ListBucket'],
        Resource: bucketArn,
        Condition: fromThisAccount,
      },
      tlsOnlyStatement(bucketArn),
    ],
  });
}

/**
 * One private bucket for the load balancer's access logs and the VPC's flow logs, each under its own
 * prefix, kept `logRetentionDays` days. Encrypted with SSE-S3 (AES256): the only encryption ALB access
 * log delivery supports, it cannot write to an SSE-KMS bucket.
 */
export function createLogBucket(config: StackConfig, naming: Naming): LogBucket {
  const bucket = new aws.s3.Bucket(naming.name('logs'), {
    // A production stack's logs outlive `pulumi destroy` until someone empties the bucket on purpose.
    forceDestroy: !config.isProduction,
    tags: naming.tags('logs'),
  });
  new aws.s3.BucketPublicAccessBlock(naming.name('logs-public-access'), {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  // ACLs off: the bucket owner owns every object, whichever service delivered it.
  new aws.s3.BucketOwnershipControls(naming.name('logs-ownership'), { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  new aws.s3.BucketServerSideEncryptionConfiguration(naming.name('logs-encryption'), {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
  });
  new aws.s3.BucketLifecycleConfiguration(naming.name('logs-expiry'), {
    bucket: bucket.id,
    rules: [
      {
        id: 'expire-logs',
        status: 'Enabled',
        filter: {},
        expiration: { days: config.logRetentionDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
      },
    ],
  });
  const policy = new aws.s3.BucketPolicy(naming.name('logs-delivery'), { bucket: bucket.id, policy: deliveryPolicy(bucket.arn) });
  return { bucket, policy };
}
