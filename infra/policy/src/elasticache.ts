import * as aws from '@pulumi/aws';
import { ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';

export const elasticacheEncryption: ResourceValidationPolicy = {
  name: 'elasticache-encryption',
  description:
    'The session cache encrypts traffic and storage and requires authentication (an auth token or RBAC user ' +
    'groups); sessions hold the login and the CSRF secret.',
  enforcementLevel: 'advisory',
  severity: 'medium',
  framework: guideItem('Security Review', 'Enable CSRF protection verification'),
  remediationSteps:
    'Use a replication group with transitEncryptionEnabled: true, atRestEncryptionEnabled: true and an authToken.',
  validateResource: [
    validateResourceOfType(aws.elasticache.ReplicationGroup, (group, _args, reportViolation) => {
      if (group.transitEncryptionEnabled !== true) {
        reportViolation('The replication group must set transitEncryptionEnabled: true.');
      }
      if (group.atRestEncryptionEnabled !== true) {
        reportViolation('The replication group must set atRestEncryptionEnabled: true.');
      }
      const hasAuthToken = group.authToken !== undefined && group.authToken !== '';
      const hasUserGroups = (group.userGroupIds ?? []).length > 0;
      if (!hasAuthToken && !hasUserGroups) {
        reportViolation('The replication group must require authentication: set authToken (or userGroupIds).');
      }
    }),
    validateResourceOfType(aws.elasticache.Cluster, (cluster, _args, reportViolation) => {
      // A member of a replication group takes its encryption and authentication from the group.
      if (cluster.replicationGroupId === undefined || cluster.replicationGroupId === '') {
        reportViolation(
          'A standalone cache cluster cannot encrypt at rest or require an auth token: use a replication group.',
        );
      }
    }),
  ],
};

export const policies: ResourceValidationPolicy[] = [elasticacheEncryption];
