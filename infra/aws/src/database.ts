import * as aws from '@pulumi/aws';
import { DB_NAME, DB_USERNAME, MYSQL_PORT, type StackConfig } from './config';
import type { Network } from './network';
import type { Naming } from './naming';
import type { SecurityGroups } from './securityGroups';

/**
 * The guide's "Slow Queries": slow_query_log ON, long_query_time 2, written to files CloudWatch Logs
 * collects; and no connection without TLS (the app connects with DB_SSL=verify and the RDS CA bundle).
 */
export const MYSQL_PARAMETERS: Record<string, string> = {
  require_secure_transport: '1',
  slow_query_log: '1',
  long_query_time: '2',
  log_output: 'FILE',
};

export function createDatabase(
  config: StackConfig,
  network: Network,
  securityGroups: SecurityGroups,
  naming: Naming,
): aws.rds.Instance {
  const subnetGroup = new aws.rds.SubnetGroup(naming.name('db-subnets'), {
    subnetIds: network.dataSubnets.map((subnet) => subnet.id),
    description: 'TodoBox database: private data subnets',
    tags: naming.tags('db-subnets'),
  });

  // One group per major (its family): a major upgrade creates the new group beside the one in use. The old one
  // is left behind, not deleted: in prod the instance moves to the new group only in its maintenance window,
  // and RDS refuses to delete a group an instance still uses (InvalidDBParameterGroupState).
  const parameterGroupComponent = `mysql${config.dbEngineMajor.replace('.', '')}`;
  const parameterGroup = new aws.rds.ParameterGroup(
    naming.name(parameterGroupComponent),
    {
      family: `mysql${config.dbEngineMajor}`,
      description: `TodoBox MySQL ${config.dbEngineMajor}: TLS only, slow query log`,
      parameters: Object.entries(MYSQL_PARAMETERS).map(([name, value]) => ({ name, value, applyMethod: 'immediate' })),
      tags: naming.tags(parameterGroupComponent),
    },
    { retainOnDelete: true },
  );

  return new aws.rds.Instance(naming.name('db'), {
      engine: 'mysql',
      engineVersion: config.dbEngineVersion,
      autoMinorVersionUpgrade: true,
      // Only when the stack names its version: a stack made on 8.0 that relies on the default is refused by RDS
      // rather than upgraded because the default moved.
      allowMajorVersionUpgrade: config.dbAllowMajorVersionUpgrade,
      instanceClass: config.dbInstanceClass,
      allocatedStorage: config.dbAllocatedStorage,
      maxAllocatedStorage: config.dbMaxAllocatedStorage,
      storageType: 'gp3',
      storageEncrypted: true,
      dbName: DB_NAME,
      username: DB_USERNAME,
      // RDS generates the master password and keeps it in a Secrets Manager secret of its own, rotated.
      manageMasterUserPassword: true,
      port: MYSQL_PORT,
      multiAz: config.dbMultiAz,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroups.database.id],
      publiclyAccessible: false,
      parameterGroupName: parameterGroup.name,
      backupRetentionPeriod: config.dbBackupRetentionDays,
      backupWindow: '03:00-04:00',
      maintenanceWindow: 'sun:04:30-sun:05:30',
      copyTagsToSnapshot: true,
      // Point-in-time recovery outlives the instance in prod: a deleted database can still be restored.
      deleteAutomatedBackups: !config.isProduction,
      deletionProtection: config.isProduction,
      skipFinalSnapshot: !config.isProduction,
      finalSnapshotIdentifier: config.isProduction ? naming.name('db-final') : undefined,
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ['error', 'slowquery'],
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      applyImmediately: !config.isProduction,
      tags: naming.tags('db'),
    },
  );
}
