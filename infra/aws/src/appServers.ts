import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AmiSource, StackConfig } from './config';
import type { Network } from './network';
import type { Naming } from './naming';
import type { SecurityGroups } from './securityGroups';
import { backupWriterPolicy, type BackupBucket } from './backupBucket';
import { createInstanceRefresh } from './instanceRefresh';
import type { ServerLogGroups } from './logGroups';
import { renderUserData } from './userData';

export interface AppServers {
  group: aws.autoscaling.Group;
  role: aws.iam.Role;
  launchTemplate: aws.ec2.LaunchTemplate;
}

export interface AppServerInputs {
  targetGroupArn: pulumi.Input<string>;
  secret: aws.secretsmanager.Secret;
  /** The secret's value must exist before the first server boots and reads it. */
  secretVersion: aws.secretsmanager.SecretVersion;
  /** The database master user's secret, which RDS manages; with databaseBootstrap "instances" the servers read it to create the app's user. */
  masterSecretArn: pulumi.Output<string>;
  /** CloudWatch alarms that stop an instance refresh and roll it back. */
  rolloutAlarmNames: pulumi.Input<string>[];
  /** Where the CloudWatch agent ships the logs (enableCloudWatchAgent); without them no agent is installed. */
  logGroups?: ServerLogGroups;
  /** The bucket `todobox backup` uploads to (BACKUP_S3_URL): the servers write and read it, never delete. */
  backups: Pick<BackupBucket, 'bucket' | 'key'>;
}

export const SSM_CORE_POLICY = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
export const CLOUDWATCH_AGENT_POLICY = 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy';

/**
 * The parameter is read at deploy time rather than named in the launch template (resolve:ssm:), with which
 * an instance refresh cannot roll back.
 */
export function imageId(ami: AmiSource): pulumi.Input<string> {
  if ('amiId' in ami) return ami.amiId;
  // An AMI id is no secret; in plain, a preview shows which image the fleet moves to.
  return aws.ssm.getParameterOutput({ name: ami.ssmParameter }).insecureValue;
}

/** The role, and its policies: a server launched before they exist boots without its permissions. */
interface InstanceRole {
  role: aws.iam.Role;
  policies: pulumi.Resource[];
}

/**
 * The instance role may be managed by Session Manager (instead of SSH), read its own environment secret,
 * download its own release artifact, write and read backups (never delete them) and, with databaseBootstrap
 * "instances", read the database master secret.
 */
function createInstanceRole(config: StackConfig, inputs: AppServerInputs, naming: Naming): InstanceRole {
  const role = new aws.iam.Role(naming.name('app-role'), {
    description: 'TodoBox app servers',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    tags: naming.tags('app-role'),
  });
  const policies: pulumi.Resource[] = [
    new aws.iam.RolePolicyAttachment(naming.name('app-ssm'), { role: role.name, policyArn: SSM_CORE_POLICY }),
  ];
  if (config.enableCloudWatchAgent) {
    policies.push(new aws.iam.RolePolicyAttachment(naming.name('app-cloudwatch'), { role: role.name, policyArn: CLOUDWATCH_AGENT_POLICY }));
  }
  const ownResources = new aws.iam.RolePolicy(naming.name('app-own-secrets'), {
    role: role.id,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadOwnEnvironment', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [inputs.secret.arn] },
        // Only when the servers bootstrap the database users themselves. No kms grant: RDS encrypts this secret
        // with the aws/secretsmanager key, whose key policy lets the account's principals decrypt through Secrets Manager.
        ...(config.databaseBootstrap === 'instances'
          ? [{ Sid: 'ReadDatabaseMaster', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [inputs.masterSecretArn] }]
          : []),
        {
          Sid: 'ReadOwnRelease',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: [`arn:aws:s3:::${config.artifactBucket}/${config.artifactKey}`],
        },
      ],
    }),
  });
  const backups = new aws.iam.RolePolicy(naming.name('app-backups'), { role: role.id, policy: backupWriterPolicy(inputs.backups) });
  return { role, policies: [...policies, ownResources, backups] };
}

export function createAppServers(
  config: StackConfig,
  network: Network,
  securityGroups: SecurityGroups,
  inputs: AppServerInputs,
  naming: Naming,
): AppServers {
  const { role, policies } = createInstanceRole(config, inputs, naming);
  const profile = new aws.iam.InstanceProfile(naming.name('app-profile'), { role: role.name, tags: naming.tags('app-profile') });
  // The boot script reads the secret and the release with them, so no server is launched before they exist.
  const permissions = [profile, ...policies];
  const region = aws.getRegionOutput().region;
  const userData = pulumi
    .all([region, inputs.secret.arn, inputs.masterSecretArn, inputs.logGroups?.app.name, inputs.logGroups?.system.name])
    .apply(([regionName, secretArn, masterSecretArn, appLogGroup, systemLogGroup]) => {
      const logGroups = appLogGroup !== undefined && systemLogGroup !== undefined ? { app: appLogGroup, system: systemLogGroup } : undefined;
      return Buffer.from(renderUserData(config, { region: regionName, secretArn, masterSecretArn }, logGroups)).toString('base64');
    });

  const launchTemplate = new aws.ec2.LaunchTemplate(
    naming.name('app-lt'),
    {
      namePrefix: `${naming.name('app')}-`,
      description: `TodoBox ${config.appVersion}`,
      imageId: imageId(config.ami),
      instanceType: config.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/sda1',
          ebs: { volumeSize: config.rootVolumeSizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      networkInterfaces: [{ associatePublicIpAddress: 'false', deleteOnTermination: 'true', securityGroups: [securityGroups.app.id] }],
      monitoring: { enabled: true },
      userData,
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: 'instance', tags: naming.tags('app', { AppVersion: config.appVersion }) },
        { resourceType: 'volume', tags: naming.tags('app-root') },
      ],
      tags: naming.tags('app-lt'),
    },
    { dependsOn: permissions },
  );

  const group = new aws.autoscaling.Group(
    naming.name('app-asg'),
    {
      vpcZoneIdentifiers: network.appSubnets.map((subnet) => subnet.id),
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
      minSize: config.minSize,
      maxSize: config.maxSize,
      desiredCapacity: config.desiredCapacity,
      targetGroupArns: [inputs.targetGroupArn],
      healthCheckType: 'ELB',
      healthCheckGracePeriod: 300,
      defaultInstanceWarmup: 300,
      enabledMetrics: ['GroupInServiceInstances', 'GroupDesiredCapacity', 'GroupTotalInstances'],
      tags: Object.entries(naming.tags('app')).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    },
    // Target tracking moves the desired capacity; a later `pulumi up` must not set it back to desiredCapacity.
    // The instance refresh moves the group to a new launch template version once it succeeds.
    { dependsOn: [inputs.secretVersion, ...permissions], ignoreChanges: ['desiredCapacity', 'launchTemplate'] },
  );
  createInstanceRefresh(group, launchTemplate, inputs.rolloutAlarmNames, naming);

  new aws.autoscaling.Policy(naming.name('app-cpu-target'), {
    autoscalingGroupName: group.name,
    policyType: 'TargetTrackingScaling',
    targetTrackingConfiguration: {
      predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
      targetValue: 60,
    },
  });

  return { group, role, launchTemplate };
}
