import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';

export interface LoadBalancerTargets {
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
}

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions'>;

function alarm(component: string, args: AlarmArgs, naming: Naming, topic: aws.sns.Topic | undefined): aws.cloudwatch.MetricAlarm {
  const actions = topic === undefined ? [] : [topic.arn];
  return new aws.cloudwatch.MetricAlarm(naming.name(component), { ...args, alarmActions: actions, okActions: actions, tags: naming.tags(component) });
}

/** AWS-side alarms for what Prometheus cannot see from inside, mailed to alarmEmail. */
export function createAlarmTopic(email: string, naming: Naming): aws.sns.Topic {
  const topic = new aws.sns.Topic(naming.name('alarms'), { tags: naming.tags('alarms') });
  new aws.sns.TopicSubscription(naming.name('alarms-email'), { topic: topic.arn, protocol: 'email', endpoint: email });
  return topic;
}

/**
 * The load balancer's view of the app. An instance refresh stops and rolls back when one of them goes off,
 * so they exist in every stack, and notify the topic when there is one.
 */
export function createLoadBalancerAlarms(targets: LoadBalancerTargets, naming: Naming, topic?: aws.sns.Topic): aws.cloudwatch.MetricAlarm[] {
  const dimensions = { LoadBalancer: targets.loadBalancerArnSuffix, TargetGroup: targets.targetGroupArnSuffix };
  const unhealthyHosts = alarm(
    'alarm-unhealthy-hosts',
    {
      alarmDescription: 'An app server fails its /healthz check',
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
  const serverErrors = alarm(
    'alarm-target-5xx',
    {
      alarmDescription: 'The app answers with server errors',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensions,
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
  return [unhealthyHosts, serverErrors];
}

/** The managed database's CPU and storage: only worth having when someone is told. */
export function createDatabaseAlarms(databaseId: pulumi.Input<string>, naming: Naming, topic: aws.sns.Topic): void {
  const dimensions = { DBInstanceIdentifier: databaseId };
  alarm(
    'alarm-db-cpu',
    {
      alarmDescription: 'The database CPU stays above 80 %',
      namespace: 'AWS/RDS',
      metricName: 'CPUUtilization',
      dimensions,
      statistic: 'Average',
      period: 300,
      evaluationPeriods: 3,
      threshold: 80,
      comparisonOperator: 'GreaterThanThreshold',
    },
    naming,
    topic,
  );
  alarm(
    'alarm-db-storage',
    {
      alarmDescription: 'Less than 2 GiB of database storage left',
      namespace: 'AWS/RDS',
      metricName: 'FreeStorageSpace',
      dimensions,
      statistic: 'Minimum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 2 * 1024 ** 3,
      comparisonOperator: 'LessThanThreshold',
    },
    naming,
    topic,
  );
}
