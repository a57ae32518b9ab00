import * as aws from '@pulumi/aws';
import { ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';

/** AWS cannot roll a refresh back to a group that follows one of these moving versions. */
const MOVING_LAUNCH_TEMPLATE_VERSIONS = [undefined, '', '$Latest', '$Default'];

export const asgRefreshRollsBack: ResourceValidationPolicy = {
  name: 'asg-refresh-rolls-back',
  description:
    'An Auto Scaling group that replaces its servers through an instance refresh rolls the refresh back when it ' +
    'fails or a CloudWatch alarm goes off, so a bad release or image never takes the whole fleet.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Review active dependencies for CVEs'),
  remediationSteps:
    'Set instanceRefresh.preferences.autoRollback: true and name the alarms in preferences.alarmSpecification.alarms; ' +
    'give launchTemplate.version a version number (launchTemplate.latestVersion), not $Latest or $Default.',
  validateResource: validateResourceOfType(aws.autoscaling.Group, (group, _args, reportViolation) => {
    // Without an instance refresh a new launch template version replaces no server.
    if (group.instanceRefresh === undefined) return;
    const preferences = group.instanceRefresh.preferences;
    if (preferences?.autoRollback !== true) {
      reportViolation('The instance refresh must set preferences.autoRollback: true.');
    }
    if ((preferences?.alarmSpecification?.alarms ?? []).length === 0) {
      reportViolation('The instance refresh must name the CloudWatch alarms that stop and roll it back (preferences.alarmSpecification.alarms).');
    }
    const version = group.launchTemplate?.version ?? group.mixedInstancesPolicy?.launchTemplate.launchTemplateSpecification.version;
    if (MOVING_LAUNCH_TEMPLATE_VERSIONS.includes(version)) {
      reportViolation(`The group must use a launch template version number, which a refresh can roll back to (it is ${version || 'not set'}).`);
    }
  }),
};

export const policies: ResourceValidationPolicy[] = [asgRefreshRollsBack];
