import * as aws from '@pulumi/aws';
import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';
import { REFRESH_PREFERENCES_VARIABLE, refreshCommandsOf } from './refreshCommand';

/** AWS cannot roll a refresh back to a group that follows one of these moving versions. */
const MOVING_LAUNCH_TEMPLATE_VERSIONS = [undefined, '', '$Latest', '$Default'];
const ROLLOUTS = guideItem('Security Review', 'Review active dependencies for CVEs');

const groupsOf = (resources: PolicyResource[]) => resources.filter((resource) => resource.isType(aws.autoscaling.Group));

/** Why the group's refreshes cannot roll back to the version it ran before, if they cannot. */
function rollbackGaps(resources: PolicyResource[], group: PolicyResource): string[] {
  const gaps: string[] = [];
  if (group.props.instanceRefresh !== undefined) {
    gaps.push(
      "must not set the provider's instanceRefresh: the provider moves the group to the new version before the refresh starts, so a rollback keeps it",
    );
  }
  const version = group.props.launchTemplate?.version ?? group.props.mixedInstancesPolicy?.launchTemplate?.launchTemplateSpecification?.version;
  if (MOVING_LAUNCH_TEMPLATE_VERSIONS.includes(version)) {
    gaps.push(`must use a launch template version number, which a refresh can roll back to (it is ${version || 'not set'})`);
  }
  if (!group.opts.ignoreChanges.includes('launchTemplate')) {
    gaps.push('must list launchTemplate in ignoreChanges: `pulumi up` would move the group to a new version without a refresh');
  }
  const commands = refreshCommandsOf(resources, group);
  if (commands.length === 0) {
    gaps.push(
      'must be rolled out by a command:local:Command taking the group in its environment that runs aws autoscaling start-instance-refresh ' +
        `with --desired-configuration and --preferences "$${REFRESH_PREFERENCES_VARIABLE}"`,
    );
  }
  for (const { command, preferences } of commands) {
    if (preferences?.AutoRollback !== true) gaps.push(`needs ${command.name} to set AutoRollback: true in ${REFRESH_PREFERENCES_VARIABLE}`);
    if ((preferences?.AlarmSpecification?.Alarms ?? []).length === 0) {
      gaps.push(`needs ${command.name} to name the CloudWatch alarms that stop and roll back a refresh (AlarmSpecification.Alarms)`);
    }
  }
  return gaps;
}

export const asgRefreshRollsBack: StackValidationPolicy = {
  name: 'asg-refresh-rolls-back',
  description:
    'An Auto Scaling group takes a new launch template version through an instance refresh that names it as the desired ' +
    'configuration and rolls back when it fails or a CloudWatch alarm goes off, so a bad release or image never takes the whole fleet.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: ROLLOUTS,
  remediationSteps:
    'Drop instanceRefresh from the group, give launchTemplate.version a version number and list launchTemplate in ignoreChanges; ' +
    'add a local.Command (environment: the group, launch template and REFRESH_PREFERENCES with AutoRollback true and ' +
    'AlarmSpecification.Alarms) that runs aws autoscaling start-instance-refresh --desired-configuration ... --preferences "$REFRESH_PREFERENCES".',
  validateStack: (args, reportViolation) => {
    for (const group of groupsOf(args.resources)) {
      for (const gap of rollbackGaps(args.resources, group)) reportViolation(`The Auto Scaling group ${group.name} ${gap}.`, group.urn);
    }
  },
};

/** A refresh pauses at a checkpoint below the whole fleet, and the last checkpoint is the whole fleet (AWS requires 100). */
function checkpointGap(percentages: number[] | undefined, delay: number | undefined): string | undefined {
  if (percentages === undefined || percentages.length < 2 || percentages[percentages.length - 1] !== 100) {
    return `CheckpointPercentages must stop below 100 before ending at 100 (it is ${JSON.stringify(percentages ?? null)})`;
  }
  if (delay === undefined || delay <= 0) return `CheckpointDelay must give the alarms time to go off at each checkpoint (it is ${delay ?? 'not set'})`;
  return undefined;
}

export const asgRefreshCheckpoints: StackValidationPolicy = {
  name: 'asg-refresh-checkpoints',
  description:
    "An instance refresh replaces part of the fleet, then waits at a checkpoint for the alarms before replacing the rest: a release that " +
    'fails under real traffic is rolled back while most servers still run the version before.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  framework: ROLLOUTS,
  remediationSteps: `Give the refresh command's ${REFRESH_PREFERENCES_VARIABLE} CheckpointPercentages such as [50, 100] and a CheckpointDelay in seconds (e.g. 600).`,
  validateStack: (args, reportViolation) => {
    for (const group of groupsOf(args.resources)) {
      for (const { command, preferences } of refreshCommandsOf(args.resources, group)) {
        const gap = checkpointGap(preferences?.CheckpointPercentages, preferences?.CheckpointDelay);
        if (gap !== undefined) reportViolation(`The instance refresh ${command.name} of ${group.name}: ${gap}.`, command.urn);
      }
    }
  },
};

export const asgDesiredCapacityIgnored: ResourceValidationPolicy = {
  name: 'asg-desired-capacity-ignored',
  description:
    'An Auto Scaling group that can change size and is given a desiredCapacity lists it in ignoreChanges, so `pulumi up` never sets ' +
    'back what scaling chose (shrinking a fleet under load).',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  framework: guideItem('Quarterly Tasks', 'Capacity planning'),
  remediationSteps: "Add 'desiredCapacity' to the group's ignoreChanges resource option (or leave desiredCapacity unset).",
  validateResource: validateResourceOfType(aws.autoscaling.Group, (group, args, reportViolation) => {
    const canScale = group.minSize < group.maxSize;
    if (canScale && group.desiredCapacity !== undefined && !args.opts.ignoreChanges.includes('desiredCapacity')) {
      reportViolation("The group sets desiredCapacity between minSize and maxSize, so it must list 'desiredCapacity' in ignoreChanges.");
    }
  }),
};

export const resourcePolicies: ResourceValidationPolicy[] = [asgDesiredCapacityIgnored];
export const stackPolicies: StackValidationPolicy[] = [asgRefreshRollsBack, asgRefreshCheckpoints];
