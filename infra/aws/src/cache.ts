import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { REDIS_PORT, type StackConfig } from './config';
import type { Network } from './network';
import type { Naming } from './naming';
import type { SecurityGroups } from './securityGroups';

/** Redis for sessions and login-throttling counters shared by every app server (the guide's "Caching Layer"). */
export function createCache(
  config: StackConfig,
  network: Network,
  securityGroups: SecurityGroups,
  authToken: pulumi.Input<string>,
  naming: Naming,
): aws.elasticache.ReplicationGroup {
  const subnetGroup = new aws.elasticache.SubnetGroup(naming.name('cache-subnets'), {
    subnetIds: network.dataSubnets.map((subnet) => subnet.id),
    description: 'TodoBox Redis: private data subnets',
    tags: naming.tags('cache-subnets'),
  });
  const replicated = config.cacheNodes > 1;

  return new aws.elasticache.ReplicationGroup(naming.name('redis'), {
    description: 'TodoBox sessions and rate limits',
    engine: 'redis',
    engineVersion: '7.1',
    parameterGroupName: 'default.redis7',
    nodeType: config.cacheNodeType,
    numCacheClusters: config.cacheNodes,
    port: REDIS_PORT,
    subnetGroupName: subnetGroup.name,
    securityGroupIds: [securityGroups.cache.id],
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    authToken,
    automaticFailoverEnabled: replicated,
    multiAzEnabled: replicated,
    autoMinorVersionUpgrade: true,
    snapshotRetentionLimit: 1,
    maintenanceWindow: 'sun:05:30-sun:06:30',
    applyImmediately: !config.isProduction,
    tags: naming.tags('redis'),
  });
}
