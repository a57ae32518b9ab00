import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { FLOW_LOG_PREFIX, type LogBucket } from './logBucket';
import type { Naming } from './naming';
import type { Network } from './network';

/** Ten minutes, the longest interval: the fewest records (and the lowest cost) for a record of who talked to whom. */
const AGGREGATION_SECONDS = 600;

/**
 * Every accepted and rejected connection of the VPC, written to the log bucket: what an incident needs
 * to see whom an instance talked to. S3 rather than CloudWatch Logs costs about half per gigabyte and
 * needs no IAM role; Athena reads it.
 */
export function createFlowLogs(network: Network, logs: LogBucket, naming: Naming): aws.ec2.FlowLog {
  return new aws.ec2.FlowLog(
    naming.name('vpc-flow-log'),
    {
      vpcId: network.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: pulumi.interpolate`${logs.bucket.arn}/${FLOW_LOG_PREFIX}/`,
      maxAggregationInterval: AGGREGATION_SECONDS,
      tags: naming.tags('vpc-flow-log'),
    },
    { dependsOn: [logs.policy] },
  );
}
