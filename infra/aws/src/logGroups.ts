import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config';
import type { Naming } from './naming';

/** The guide's failed-login search (`grep "Invalid username"`), as a CloudWatch Logs filter over the app's JSON lines. */
export const FAILED_LOGIN_FILTER = '{ $.message = "Invalid username or password*" }';
export const FAILED_LOGIN_METRIC = 'FailedLogins';
/**
 * UnauthorizedAccessAttempts' floor: 0.1 failed logins a second, 30 in 5 minutes. The Prometheus rule also
 * compares with the day's baseline, which a CloudWatch alarm cannot; this one is its coarse twin on AWS.
 */
export const FAILED_LOGINS_PER_5_MINUTES = 30;

export interface ServerLogGroups {
  /** The app's JSON lines (todobox.log), one stream per server. */
  app: aws.cloudwatch.LogGroup;
  /** The servers' system log, the monitoring host's too. */
  system: aws.cloudwatch.LogGroup;
  /** Counts the failed logins of the app's log group, for the alarm and the console's graphs. */
  failedLogins: aws.cloudwatch.LogMetricFilter;
  metricNamespace: string;
}

export function logGroupPrefix(config: Pick<StackConfig, 'stack'>): string {
  return `/todobox/${config.stack}`;
}

/**
 * The logs hold client addresses and the logins attempted: a key of the stack's own encrypts them, which only
 * CloudWatch Logs may use, for this stack's log groups only.
 */
function createLogKey(config: StackConfig, naming: Naming): aws.kms.Key {
  const account = aws.getCallerIdentityOutput().accountId;
  const region = aws.getRegionOutput().region;
  const partition = aws.getPartitionOutput().partition;
  return new aws.kms.Key(naming.name('logs-key'), {
    description: `Encrypts the TodoBox ${config.stack} log groups`,
    enableKeyRotation: true,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'CloudWatchLogsEncrypts',
          Effect: 'Allow',
          Principal: { Service: pulumi.interpolate`logs.${region}.amazonaws.com` },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:${logGroupPrefix(config)}/*` },
          },
        },
      ],
    }),
    tags: naming.tags('logs-key'),
  });
}

export function createServerLogGroups(config: StackConfig, naming: Naming, alarmTopic: aws.sns.Topic): ServerLogGroups {
  const key = createLogKey(config, naming);
  const logGroup = (component: string, purpose: string) =>
    new aws.cloudwatch.LogGroup(naming.name(`${component}-logs`), {
      name: `${logGroupPrefix(config)}/${component}`,
      retentionInDays: config.cloudWatchLogRetentionDays,
      kmsKeyId: key.arn,
      tags: naming.tags(`${component}-logs`, { Purpose: purpose }),
    });
  const app = logGroup('app', 'todobox.log of every app server');
  const system = logGroup('system', 'syslog of every server');

  const metricNamespace = `TodoBox/${config.stack}`;
  const failedLogins = new aws.cloudwatch.LogMetricFilter(naming.name('failed-logins'), {
    logGroupName: app.name,
    pattern: FAILED_LOGIN_FILTER,
    metricTransformation: { name: FAILED_LOGIN_METRIC, namespace: metricNamespace, value: '1', defaultValue: '0', unit: 'Count' },
  });
  new aws.cloudwatch.MetricAlarm(
    naming.name('alarm-failed-logins'),
    {
      alarmDescription: `Over ${FAILED_LOGINS_PER_5_MINUTES} failed logins in 5 minutes (UnauthorizedAccessAttempts): see runbooks/UnauthorizedAccessAttempts.md`,
      namespace: metricNamespace,
      metricName: FAILED_LOGIN_METRIC,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: FAILED_LOGINS_PER_5_MINUTES,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [alarmTopic.arn],
      okActions: [alarmTopic.arn],
      tags: naming.tags('alarm-failed-logins'),
    },
    { dependsOn: [failedLogins] },
  );
  return { app, system, failedLogins, metricNamespace };
}
