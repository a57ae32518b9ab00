import * as aws from '@pulumi/aws';
import { local } from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';

/** Half the fleet moves first, then the refresh waits this long for an alarm before the rest follows. */
const REFRESH_CHECKPOINT_PERCENTAGES = [50, 100];
const REFRESH_CHECKPOINT_DELAY_SECONDS = 600;
const REFRESH_MIN_HEALTHY_PERCENTAGE = 50;
const REFRESH_INSTANCE_WARMUP_SECONDS = 300;

/** The environment variable carrying StartInstanceRefresh's preferences (its JSON), which the policy pack reads. */
const REFRESH_PREFERENCES_VARIABLE = 'REFRESH_PREFERENCES';

/** The refresh states during which AWS refuses to start another. */
const ACTIVE_REFRESH_STATES = ['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking'];

/**
 * Runs where `pulumi up` runs, with the AWS CLI v2. It starts a refresh only when the group is not on the
 * launch template version already: the first `pulumi up` creates the group on it, and a rerun after a
 * success has nothing to do. A refresh still running makes it fail, so the change is retried by the next
 * `pulumi up` instead of being recorded as done.
 */
const START_INSTANCE_REFRESH_SCRIPT = [
  'set -eu',
  'current=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$GROUP_NAME" \\',
  "  --query 'AutoScalingGroups[0].LaunchTemplate.[LaunchTemplateId,Version]' --output text)",
  'if [ "$current" = "$(printf \'%s\\t%s\' "$LAUNCH_TEMPLATE_ID" "$LAUNCH_TEMPLATE_VERSION")" ]; then',
  '  echo "$GROUP_NAME already runs launch template $LAUNCH_TEMPLATE_ID version $LAUNCH_TEMPLATE_VERSION: no instance refresh needed"',
  '  exit 0',
  'fi',
  'active=$(aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$GROUP_NAME" \\',
  `  --query 'InstanceRefreshes[?${ACTIVE_REFRESH_STATES.map((state) => `Status==\`${state}\``).join(' || ')}].[InstanceRefreshId,Status]' --output text)`,
  'if [ -n "$active" ]; then',
  '  echo "An instance refresh of $GROUP_NAME is still running ($active): wait for it to end or cancel it, then run pulumi up again" >&2',
  '  exit 1',
  'fi',
  'aws autoscaling start-instance-refresh --auto-scaling-group-name "$GROUP_NAME" \\',
  '  --desired-configuration "$(printf \'{"LaunchTemplate":{"LaunchTemplateId":"%s","Version":"%s"}}\' "$LAUNCH_TEMPLATE_ID" "$LAUNCH_TEMPLATE_VERSION")" \\',
  `  --preferences "$${REFRESH_PREFERENCES_VARIABLE}"`,
].join('\n');

/** StartInstanceRefresh's preferences: checkpoints, and a rollback when the refresh fails or an alarm goes off. */
function refreshPreferences(alarmNames: string[]): string {
  return JSON.stringify({
    MinHealthyPercentage: REFRESH_MIN_HEALTHY_PERCENTAGE,
    InstanceWarmup: REFRESH_INSTANCE_WARMUP_SECONDS,
    CheckpointPercentages: REFRESH_CHECKPOINT_PERCENTAGES,
    CheckpointDelay: REFRESH_CHECKPOINT_DELAY_SECONDS,
    AutoRollback: true,
    AlarmSpecification: { Alarms: alarmNames },
  });
}

/**
 * Rolls each new launch template version out with an instance refresh that names it as the desired
 * configuration, so AWS moves the group onto it only when the refresh succeeds and a rollback restores the
 * version before. (The provider's own instanceRefresh sets the new version on the group first, and a
 * "rollback" then brings back the new version: terraform-provider-aws issue #34189.) The group's own
 * version also triggers it, so after a rollback `pulumi up --refresh` tries the launch template's version again.
 */
export function createInstanceRefresh(
  group: aws.autoscaling.Group,
  launchTemplate: aws.ec2.LaunchTemplate,
  alarmNames: pulumi.Input<string>[],
  naming: Naming,
): local.Command {
  const version = launchTemplate.latestVersion.apply(String);
  return new local.Command(naming.name('app-refresh'), {
    create: START_INSTANCE_REFRESH_SCRIPT,
    update: START_INSTANCE_REFRESH_SCRIPT,
    triggers: [version, group.launchTemplate.apply((current) => current?.version)],
    environment: {
      // An Auto Scaling group's id is its name.
      GROUP_NAME: group.id,
      LAUNCH_TEMPLATE_ID: launchTemplate.id,
      LAUNCH_TEMPLATE_VERSION: version,
      [REFRESH_PREFERENCES_VARIABLE]: pulumi.all(alarmNames).apply(refreshPreferences),
      AWS_REGION: aws.getRegionOutput().region,
      // The CLI would otherwise page its output and wait for a key.
      AWS_PAGER: '',
      ...(aws.config.profile === undefined ? {} : { AWS_PROFILE: aws.config.profile }),
    },
  });
}
