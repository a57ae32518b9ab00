import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { resourcePolicies as autoScalingResourcePolicies, stackPolicies as autoScalingStackPolicies } from './autoScaling';
import { policies as backupPolicies } from './backups';
import { policies as cdnPolicies } from './cdn';
import { policies as computePolicies } from './compute';
import { policies as elasticachePolicies } from './elasticache';
import { policies as endpointPolicies } from './endpoints';
import { policies as loadBalancerPolicies } from './loadBalancer';
import { resourcePolicies as loggingResourcePolicies, stackPolicies as loggingStackPolicies } from './logging';
import { policies as networkPolicies } from './network';
import { policies as rdsPolicies } from './rds';
import { resourcePolicies as wafResourcePolicies, stackPolicies as wafStackPolicies } from './waf';

/** The policies that judge one resource at a time, in the order the pack reports them. */
export const resourcePolicies: ResourceValidationPolicy[] = [
  ...rdsPolicies,
  ...loadBalancerPolicies,
  ...cdnPolicies,
  ...networkPolicies,
  ...computePolicies,
  ...autoScalingResourcePolicies,
  ...elasticachePolicies,
  ...loggingResourcePolicies,
  ...wafResourcePolicies,
];

/**
 * The policies that judge how resources go together (a VPC and its endpoints, a load balancer and its WAF, a
 * group and its refresh command, a database and its backup plan).
 */
export const stackPolicies: StackValidationPolicy[] = [
  ...endpointPolicies,
  ...loggingStackPolicies,
  ...wafStackPolicies,
  ...autoScalingStackPolicies,
  ...backupPolicies,
];

/** Every policy of the pack. */
export const policies: Policies = [...resourcePolicies, ...stackPolicies];
