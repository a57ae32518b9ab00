import * as aws from '@pulumi/aws';
import {
  type PolicyResource,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
  validateResourceOfType,
} from '@pulumi/policy';
import { resourcesTakingFrom, takesFrom } from './dependencies';
import { guideItem } from './guide';

const KEEPS_LOGS = guideItem('Monthly Tasks', 'Backup and archive logs');

interface AccessLogSettings {
  loadBalancerType?: string;
  accessLogs?: { enabled?: boolean; bucket: string };
}

function checkAccessLogs(loadBalancer: AccessLogSettings, reportViolation: (message: string) => void): void {
  // Network and gateway load balancers log differently (or not at all); an unset type is an ALB.
  if ((loadBalancer.loadBalancerType ?? 'application') !== 'application') return;
  if (loadBalancer.accessLogs?.enabled !== true || !loadBalancer.accessLogs.bucket) {
    reportViolation('The Application Load Balancer must write access logs: set accessLogs { enabled: true, bucket }.');
  }
}

export const albAccessLogs: ResourceValidationPolicy = {
  name: 'alb-access-logs',
  description: 'Application Load Balancers write access logs to S3: every request, its client, status and timings, for incidents and audits.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  framework: KEEPS_LOGS,
  remediationSteps: 'Set accessLogs { enabled: true, bucket, prefix } on the load balancer, with a bucket policy letting ELB log delivery write.',
  validateResource: [
    validateResourceOfType(aws.lb.LoadBalancer, (loadBalancer, _args, reportViolation) => checkAccessLogs(loadBalancer, reportViolation)),
    validateResourceOfType(aws.alb.LoadBalancer, (loadBalancer, _args, reportViolation) => checkAccessLogs(loadBalancer, reportViolation)),
  ],
};

function writesLogsTo(resource: PolicyResource, bucket: PolicyResource): boolean {
  if (resource.isType(aws.lb.LoadBalancer) || resource.isType(aws.alb.LoadBalancer)) return takesFrom(resource, 'accessLogs', bucket);
  if (resource.isType(aws.ec2.FlowLog)) return takesFrom(resource, 'logDestination', bucket);
  return false;
}

interface EncryptionRule {
  applyServerSideEncryptionByDefault?: { sseAlgorithm: string };
}
interface LifecycleRule {
  status: string;
  expiration?: { days?: number };
}

const PUBLIC_ACCESS_SETTINGS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];

/** What a log bucket lacks: SSE-S3, an expiry, a full public access block. */
function logBucketGaps(resources: PolicyResource[], bucket: PolicyResource): string[] {
  const settingsOf = (resourceClass: Parameters<PolicyResource['isType']>[0]) => resourcesTakingFrom(resources, resourceClass, 'bucket', bucket);
  const gaps: string[] = [];
  const encrypted = settingsOf(aws.s3.BucketServerSideEncryptionConfiguration).some((encryption) =>
    ((encryption.props.rules ?? []) as EncryptionRule[]).some((rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm === 'AES256'),
  );
  if (!encrypted) gaps.push('SSE-S3 encryption (sseAlgorithm AES256, the only one ALB log delivery supports)');
  const expires = settingsOf(aws.s3.BucketLifecycleConfiguration).some((lifecycle) =>
    ((lifecycle.props.rules ?? []) as LifecycleRule[]).some((rule) => rule.status === 'Enabled' && (rule.expiration?.days ?? 0) > 0),
  );
  if (!expires) gaps.push('a lifecycle rule expiring the logs');
  const blocked = settingsOf(aws.s3.BucketPublicAccessBlock).some((block) => PUBLIC_ACCESS_SETTINGS.every((setting) => block.props[setting] === true));
  if (!blocked) gaps.push(`a public access block with ${PUBLIC_ACCESS_SETTINGS.join(', ')} all true`);
  return gaps;
}

export const logBucketHardened: StackValidationPolicy = {
  name: 'log-bucket-hardened',
  description:
    'A bucket receiving load balancer access logs or VPC flow logs is encrypted with SSE-S3, expires its logs and blocks all public access.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: KEEPS_LOGS,
  remediationSteps:
    'Give the bucket a BucketServerSideEncryptionConfiguration with sseAlgorithm AES256, a BucketLifecycleConfiguration with an ' +
    'enabled expiration, and a BucketPublicAccessBlock with all four settings true.',
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((bucket) => bucket.isType(aws.s3.Bucket) && args.resources.some((resource) => writesLogsTo(resource, bucket)));
    for (const bucket of buckets) {
      const gaps = logBucketGaps(args.resources, bucket);
      if (gaps.length > 0) reportViolation(`The log bucket ${bucket.name} lacks ${gaps.join('; ')}.`, bucket.urn);
    }
  },
};

export const vpcFlowLogs: StackValidationPolicy = {
  name: 'vpc-flow-logs',
  description: 'Every VPC records all its traffic, accepted and rejected, in flow logs.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  framework: KEEPS_LOGS,
  remediationSteps: 'Add an aws.ec2.FlowLog with the VPC\'s vpcId, trafficType "ALL" and an S3 or CloudWatch Logs destination.',
  validateStack: (args, reportViolation) => {
    for (const vpc of args.resources.filter((resource) => resource.isType(aws.ec2.Vpc))) {
      const flowLogs = resourcesTakingFrom(args.resources, aws.ec2.FlowLog, 'vpcId', vpc);
      if (!flowLogs.some((flowLog) => flowLog.props.trafficType === 'ALL')) {
        reportViolation(`The VPC ${vpc.name} must have a flow log with trafficType ALL.`, vpc.urn);
      }
    }
  },
};

export const logGroupRetention: ResourceValidationPolicy = {
  name: 'log-group-retention',
  description: 'A CloudWatch Logs group expires its logs: without retentionInDays it keeps (and bills) them forever.',
  enforcementLevel: 'mandatory',
  severity: 'low',
  framework: KEEPS_LOGS,
  remediationSteps: 'Set retentionInDays on the aws.cloudwatch.LogGroup (e.g. 30); archive what must outlive it to S3.',
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (logGroup, _args, reportViolation) => {
    // 0 is how the provider writes "never expire".
    if (!logGroup.retentionInDays) reportViolation(`The log group must set retentionInDays (it is ${logGroup.retentionInDays ?? 'not set'}).`);
  }),
};

export const resourcePolicies: ResourceValidationPolicy[] = [albAccessLogs, logGroupRetention];
export const stackPolicies: StackValidationPolicy[] = [logBucketHardened, vpcFlowLogs];
