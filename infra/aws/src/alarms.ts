import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';

export interface LoadBalancerTargets {
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
}

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions'>;

function alarm(component: string, args: AlarmArgs, naming: Naming, topic: aws.sns.Topic): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(naming.name(component), { ...args, alarmActions: [topic.arn], okActions: [topic.arn], tags: naming.tags(component) });
}

/** The guide's error threshold (HighErrorRate): 1 % of requests answered with a server error. */
export const ERROR_RATIO_PERCENT = 1;
/** Below this many requests in 5 minutes a ratio rests on a handful of them: no alarm. */
export const ERROR_RATIO_MIN_REQUESTS = 30;
/** The guide's slow-response threshold (SlowResponses): p95 over 500 ms. */
export const LATENCY_P95_SECONDS = 0.5;
export const DB_FREEABLE_MEMORY_BYTES = 256 * 1024 ** 2;
export const CACHE_MEMORY_PERCENT = 80;
/** TLSCertificateExpiring's threshold. */
export const CERTIFICATE_DAYS_LEFT = 14;

/**
 * Where every alarm goes: a topic that always exists, encrypted with a key of its own whose policy
 * lets CloudWatch publish to it (an AWS-managed SNS key would refuse CloudWatch), and mailed to
 * alarmEmail when there is one; anything else (a pager's SNS endpoint, a chat bridge) subscribes to
 * the same topic.
 */
export function createAlarmTopic(naming: Naming, email: string | undefined): aws.sns.Topic {
  const account = aws.getCallerIdentityOutput().accountId;
  const key = new aws.kms.Key(naming.name('alarms-key'), {
    description: 'Encrypts the TodoBox alarm topic; CloudWatch may use it to publish alarms',
    enableKeyRotation: true,
    policy: account.apply((accountId) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
          {
            Sid: 'CloudWatchPublishesAlarms',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
          },
        ],
      }),
    ),
    tags: naming.tags('alarms-key'),
  });
  const topic = new aws.sns.Topic(naming.name('alarms'), { kmsMasterKeyId: key.id, tags: naming.tags('alarms') });
  if (email !== undefined) new aws.sns.TopicSubscription(naming.name('alarms-email'), { topic: topic.arn, protocol: 'email', endpoint: email });
  return topic;
}

/** The rollout alarms: an instance refresh stops and rolls back when one of them goes off. */
export interface LoadBalancerAlarms {
  rollout: aws.cloudwatch.MetricAlarm[];
  all: aws.cloudwatch.MetricAlarm[];
}

/** The load balancer's view of the app, with the guide's thresholds: what Prometheus cannot see from inside. */
export function createLoadBalancerAlarms(targets: LoadBalancerTargets, naming: Naming, topic: aws.sns.Topic): LoadBalancerAlarms {
  const dimensions = { LoadBalancer: targets.loadBalancerArnSuffix, TargetGroup: targets.targetGroupArnSuffix };
  const elb = (metricName: string, stat: string, id: string, withTargetGroup = true) => ({
    id,
    metric: { namespace: 'AWS/ApplicationELB', metricName, dimensions: withTargetGroup ? dimensions : { LoadBalancer: targets.loadBalancerArnSuffix }, period: 300, stat },
    returnData: false,
  });
  const unhealthyHosts = alarm(
    'alarm-unhealthy-hosts',
    {
      alarmDescription: 'An app server fails its /healthz check (TodoBoxInstanceDown)',
      namespace: 'AWS/ApplicationELB',
      metricName: 'UnHealthyHostCount',
      dimensions,
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 3,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    },
    naming,
    topic,
  );
  const errorRatio = alarm(
    'alarm-error-ratio',
    {
      alarmDescription: `Over ${ERROR_RATIO_PERCENT} % of requests answered with a server error by the app over 5 minutes (HighErrorRate)`,
      metricQueries: [
        elb('HTTPCode_Target_5XX_Count', 'Sum', 'errors'),
        elb('RequestCount', 'Sum', 'requests'),
        // FILL: a 5-minute period with no 5xx has no datapoint at all, which is 0 errors, not missing data.
        { id: 'ratio', expression: `IF(requests >= ${ERROR_RATIO_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`, label: 'server errors, % of requests', returnData: true },
      ],
      evaluationPeriods: 1,
      threshold: ERROR_RATIO_PERCENT,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    naming,
    topic,
  );
  const noHealthyHost = alarm(
    'alarm-no-healthy-host',
    {
      alarmDescription: 'No app server passes its health check: every request gets 503 from the load balancer (TodoBoxDown)',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HealthyHostCount',
      dimensions,
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: 2,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      // No datapoint from a target group is no healthy host either.
      treatMissingData: 'breaching',
    },
    naming,
    topic,
  );
  const loadBalancerErrors = alarm(
    'alarm-elb-5xx',
    {
      alarmDescription: 'The load balancer itself answers 502/503/504: no target, a target that reset the connection or timed out',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_ELB_5XX_Count',
      dimensions: { LoadBalancer: targets.loadBalancerArnSuffix },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 10,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    naming,
    topic,
  );
  const slowResponses = alarm(
    'alarm-latency-p95',
    {
      alarmDescription: `The app's p95 response time is over ${LATENCY_P95_SECONDS * 1000} ms for 10 minutes (SlowResponses)`,
      namespace: 'AWS/ApplicationELB',
      metricName: 'TargetResponseTime',
      dimensions,
      extendedStatistic: 'p95',
      period: 300,
      evaluationPeriods: 2,
      threshold: LATENCY_P95_SECONDS,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    naming,
    topic,
  );
  return { rollout: [unhealthyHosts, errorRatio], all: [unhealthyHosts, errorRatio, noHealthyHost, loadBalancerErrors, slowResponses] };
}

/** The managed database: CPU, storage, memory and connections. */
export function createDatabaseAlarms(databaseId: pulumi.Input<string>, connectionBudget: number, naming: Naming, topic: aws.sns.Topic): aws.cloudwatch.MetricAlarm[] {
  const dimensions = { DBInstanceIdentifier: databaseId };
  const rds = (component: string, args: Omit<AlarmArgs, 'namespace' | 'dimensions'>) => alarm(component, { namespace: 'AWS/RDS', dimensions, ...args }, naming, topic);
  return [
    rds('alarm-db-cpu', {
      alarmDescription: 'The database CPU stays above 80 %',
      metricName: 'CPUUtilization',
      statistic: 'Average',
      period: 300,
      evaluationPeriods: 3,
      threshold: 80,
      comparisonOperator: 'GreaterThanThreshold',
    }),
    rds('alarm-db-storage', {
      alarmDescription: 'Less than 2 GiB of database storage left',
      metricName: 'FreeStorageSpace',
      statistic: 'Minimum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 2 * 1024 ** 3,
      comparisonOperator: 'LessThanThreshold',
    }),
    rds('alarm-db-memory', {
      alarmDescription: 'Less than 256 MiB of database memory free for 15 minutes: the buffer pool and connections crowd the instance',
      metricName: 'FreeableMemory',
      statistic: 'Minimum',
      period: 300,
      evaluationPeriods: 3,
      threshold: DB_FREEABLE_MEMORY_BYTES,
      comparisonOperator: 'LessThanThreshold',
    }),
    rds('alarm-db-connections', {
      alarmDescription: `Over 90 % of the app's connection budget (${connectionBudget}: servers × workers × DB_POOL_MAX) in use: the pools are full, or something else connects`,
      metricName: 'DatabaseConnections',
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 2,
      threshold: Math.floor(connectionBudget * 0.9),
      comparisonOperator: 'GreaterThanThreshold',
    }),
  ];
}

/**
 * The session store: Redis memory and CPU. ElastiCache reports per node (CacheClusterId), and names a
 * replication group's nodes <group id>-001, -002 and so on.
 */
export function createCacheAlarms(replicationGroupId: pulumi.Output<string>, nodes: number, naming: Naming, topic: aws.sns.Topic): aws.cloudwatch.MetricAlarm[] {
  return Array.from({ length: nodes }, (_, index) => String(index + 1).padStart(3, '0')).flatMap((node) => nodeAlarms(replicationGroupId.apply((id) => `${id}-${node}`), node, naming, topic));
}

function nodeAlarms(cacheClusterId: pulumi.Output<string>, node: string, naming: Naming, topic: aws.sns.Topic): aws.cloudwatch.MetricAlarm[] {
  const cache = (component: string, args: Omit<AlarmArgs, 'namespace' | 'dimensions'>) =>
    alarm(`${component}-${node}`, { namespace: 'AWS/ElastiCache', dimensions: { CacheClusterId: cacheClusterId }, ...args }, naming, topic);
  return [
    cache('alarm-cache-memory', {
      alarmDescription: `Redis uses over ${CACHE_MEMORY_PERCENT} % of its memory: evictions would log users out`,
      metricName: 'DatabaseMemoryUsagePercentage',
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 2,
      threshold: CACHE_MEMORY_PERCENT,
      comparisonOperator: 'GreaterThanThreshold',
    }),
    cache('alarm-cache-cpu', {
      alarmDescription: 'The Redis engine thread stays above 80 % CPU',
      metricName: 'EngineCPUUtilization',
      statistic: 'Average',
      period: 300,
      evaluationPeriods: 3,
      threshold: 80,
      comparisonOperator: 'GreaterThanThreshold',
    }),
  ];
}

/**
 * The load balancer's certificate expiring (TLSCertificateExpiring): ACM renews a DNS-validated
 * certificate by itself, so this fires only when renewal is stuck (a validation record removed, a
 * CAA record refusing Amazon). ACM publishes DaysToExpiry once a day.
 */
export function createCertificateAlarm(certificateArn: pulumi.Input<string>, naming: Naming, topic: aws.sns.Topic): aws.cloudwatch.MetricAlarm {
  return alarm(
    'alarm-certificate-expiry',
    {
      alarmDescription: `The load balancer's certificate expires within ${CERTIFICATE_DAYS_LEFT} days: ACM has not renewed it (TLSCertificateExpiring)`,
      namespace: 'AWS/CertificateManager',
      metricName: 'DaysToExpiry',
      dimensions: { CertificateArn: certificateArn },
      statistic: 'Minimum',
      period: 86_400,
      evaluationPeriods: 1,
      threshold: CERTIFICATE_DAYS_LEFT,
      comparisonOperator: 'LessThanThreshold',
    },
    naming,
    topic,
  );
}
