import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';

export interface AlarmTargets {
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
  databaseId: pulumi.Input<string>;
}

/** AWS-side alarms for what Prometheus cannot see from inside: the load balancer's view and the managed database. */
export function createAlarms(email: string, targets: AlarmTargets, naming: Naming): aws.sns.Topic {
  const topic = new aws.sns.Topic(naming.name('alarms'), { tags: naming.tags('alarms') });
  new aws.sns.TopicSubscription(naming.name('alarms-email'), { topic: topic.arn, protocol: 'email', endpoint: email });

  const alarm = (component: string, args: Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions'>) =>
    new aws.cloudwatch.MetricAlarm(naming.name(component), { ...args, alarmActions: [topic.arn], okActions: [topic.arn], tags: naming.tags(component) });
  const loadBalancer = { LoadBalancer: targets.loadBalancerArnSuffix, TargetGroup: targets.targetGroupArnSuffix };

  alarm('alarm-unhealthy-hosts', {
    alarmDescription: 'An app server fails its /healthz check',
    namespace: 'AWS/ApplicationELB',
    metricName: 'UnHealthyHostCount',
    dimensions: loadBalancer,
    statistic: 'Maximum',
    period: 60,
    evaluationPeriods: 3,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
  });
  alarm('alarm-target-5xx', {
    alarmDescription: 'The app answers with server errors',
    namespace: 'AWS/ApplicationELB',
    metricName: 'HTTPCode_Target_5XX_Count',
    dimensions: loadBalancer,
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 10,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  });
  alarm('alarm-db-cpu', {
    alarmDescription: 'The database CPU stays above 80 %',
    namespace: 'AWS/RDS',
    metricName: 'CPUUtilization',
    dimensions: { DBInstanceIdentifier: targets.databaseId },
    statistic: 'Average',
    period: 300,
    evaluationPeriods: 3,
    threshold: 80,
    comparisonOperator: 'GreaterThanThreshold',
  });
  alarm('alarm-db-storage', {
    alarmDescription: 'Less than 2 GiB of database storage left',
    namespace: 'AWS/RDS',
    metricName: 'FreeStorageSpace',
    dimensions: { DBInstanceIdentifier: targets.databaseId },
    statistic: 'Minimum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 2 * 1024 ** 3,
    comparisonOperator: 'LessThanThreshold',
  });
  return topic;
}
