import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CLOUDWATCH_AGENT_POLICY, SSM_CORE_POLICY, imageId } from './appServers';
import type { StackConfig } from './config';
import type { Naming } from './naming';
import type { Network } from './network';
import type { SecurityGroups } from './securityGroups';
import { monitoringFiles, monitoringFilesDigest, type MonitoringFile } from './monitoringFiles';
import { createMonitoringSecret, type MonitoringSecretInputs } from './monitoringSecret';
import { renderMonitoringUserData } from './monitoringUserData';

/** Where the kit's files sit in the stack's monitoring bucket. */
export const MONITORING_CONFIG_PREFIX = 'config/';
const ROOT_VOLUME_GB = 16;

export interface MonitoringHost {
  instance: aws.ec2.Instance;
  role: aws.iam.Role;
  dataVolume: aws.ebs.Volume;
  bucket: aws.s3.Bucket;
  secret: aws.secretsmanager.Secret;
  files: MonitoringFile[];
}

export interface MonitoringHostInputs extends MonitoringSecretInputs {
  database: aws.rds.Instance;
  /** The URL the blackbox exporter probes, as visitors reach it. */
  publicUrl: string;
  systemLogGroup?: aws.cloudwatch.LogGroup;
}

/** A private bucket holding the kit's monitoring files for the host to copy: user data is limited to 16 KB. */
function createConfigBucket(files: MonitoringFile[], naming: Naming): { bucket: aws.s3.Bucket; objects: aws.s3.BucketObjectv2[] } {
  const bucket = new aws.s3.Bucket(naming.name('monitoring-config'), { forceDestroy: true, tags: naming.tags('monitoring-config') });
  new aws.s3.BucketPublicAccessBlock(naming.name('monitoring-config-public-access'), {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketOwnershipControls(naming.name('monitoring-config-ownership'), { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  new aws.s3.BucketServerSideEncryptionConfiguration(naming.name('monitoring-config-encryption'), {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
  });
  const objects = files.map((file) => {
    const key = `${MONITORING_CONFIG_PREFIX}${file.destination.replace(/^\//, '')}`;
    return new aws.s3.BucketObjectv2(naming.name(`monitoring-file-${key.replace(/[^A-Za-z0-9]+/g, '-')}`), { bucket: bucket.id, key, content: file.content });
  });
  return { bucket, objects };
}

/**
 * Session Manager instead of SSH; the EC2 API for ec2_sd_configs (Describe* take no resource); the database's
 * backup state; the host's own bucket and secret; and, with the agent, CloudWatch Logs.
 */
function createMonitoringRole(config: StackConfig, bucket: aws.s3.Bucket, secret: aws.secretsmanager.Secret, database: aws.rds.Instance, naming: Naming) {
  const role = new aws.iam.Role(naming.name('monitoring-role'), {
    description: 'TodoBox monitoring host',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    tags: naming.tags('monitoring-role'),
  });
  const policies: pulumi.Resource[] = [
    new aws.iam.RolePolicyAttachment(naming.name('monitoring-ssm'), { role: role.name, policyArn: SSM_CORE_POLICY }),
    new aws.iam.RolePolicy(naming.name('monitoring-access'), {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'DiscoverAppServers', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeAvailabilityZones'], Resource: '*' },
          { Sid: 'ReadDatabaseBackupState', Effect: 'Allow', Action: ['rds:DescribeDBInstances'], Resource: [database.arn] },
          { Sid: 'ReadOwnSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secret.arn] },
          { Sid: 'ListOwnConfig', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket.arn] },
          { Sid: 'ReadOwnConfig', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [pulumi.interpolate`${bucket.arn}/${MONITORING_CONFIG_PREFIX}*`] },
        ],
      }),
    }),
  ];
  if (config.enableCloudWatchAgent) {
    policies.push(new aws.iam.RolePolicyAttachment(naming.name('monitoring-cloudwatch'), { role: role.name, policyArn: CLOUDWATCH_AGENT_POLICY }));
  }
  return { role, policies };
}

/**
 * One EC2 host in the first app subnet running Prometheus, Alertmanager, Grafana and the exporters, reachable
 * only through Session Manager. Its data volume is a resource of its own: a host replaced for new rules or
 * dashboards reattaches it and keeps its 40 days of samples.
 */
export function createMonitoringHost(
  config: StackConfig,
  network: Network,
  securityGroups: SecurityGroups,
  inputs: MonitoringHostInputs,
  naming: Naming,
): MonitoringHost {
  const files = monitoringFiles({
    REGION: config.region,
    APP_SERVER_NAME: naming.name('app'),
    ENVIRONMENT: config.environment,
    PUBLIC_URL: inputs.publicUrl,
  });
  const { bucket, objects } = createConfigBucket(files, naming);
  const { secret, version } = createMonitoringSecret(config, inputs, naming);
  const { role, policies } = createMonitoringRole(config, bucket, secret, inputs.database, naming);
  const profile = new aws.iam.InstanceProfile(naming.name('monitoring-profile'), { role: role.name, tags: naming.tags('monitoring-profile') });
  const subnet = network.appSubnets[0];

  const dataVolume = new aws.ebs.Volume(naming.name('monitoring-data'), {
    availabilityZone: subnet.availabilityZone,
    size: config.monitoringVolumeSizeGb,
    type: 'gp3',
    encrypted: true,
    tags: naming.tags('monitoring-data'),
  });

  const userData = pulumi
    .all([secret.arn, bucket.id, dataVolume.id, inputs.database.identifier, inputs.systemLogGroup?.name])
    .apply(([secretArn, configBucket, dataVolumeId, databaseIdentifier, systemLogGroup]) =>
      renderMonitoringUserData({
        region: config.region,
        architecture: config.instanceArchitecture,
        secretArn,
        configBucket,
        configPrefix: MONITORING_CONFIG_PREFIX,
        dataVolumeId,
        databaseIdentifier,
        filesDigest: monitoringFilesDigest(files),
        systemLogGroup,
      }),
    );

  const instance = new aws.ec2.Instance(
    naming.name('monitoring'),
    {
      ami: imageId(config.ami),
      instanceType: config.monitoringInstanceType,
      subnetId: subnet.id,
      vpcSecurityGroupIds: [securityGroups.monitoring.id],
      associatePublicIpAddress: false,
      iamInstanceProfile: profile.name,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      rootBlockDevice: { volumeSize: ROOT_VOLUME_GB, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
      monitoring: true,
      userData,
      userDataReplaceOnChange: true,
      tags: naming.tags('monitoring', { role: 'monitoring' }),
      volumeTags: naming.tags('monitoring-root'),
    },
    // The boot copies the files and reads the secret with these permissions. A volume attaches to one instance
    // at a time: the old host lets go of it before its replacement boots.
    { dependsOn: [profile, version, ...objects, ...policies], deleteBeforeReplace: true },
  );
  new aws.ec2.VolumeAttachment(
    naming.name('monitoring-data-attachment'),
    {
      instanceId: instance.id,
      volumeId: dataVolume.id,
      deviceName: '/dev/sdf',
      // Prometheus stops cleanly, writing out its head block, before the volume leaves the host.
      stopInstanceBeforeDetaching: true,
    },
    { deleteBeforeReplace: true },
  );

  return { instance, role, dataVolume, bucket, secret, files };
}
