import type { ResourceValidationPolicy } from '@pulumi/policy';
import { policies as autoScalingPolicies } from './autoScaling';
import { policies as cdnPolicies } from './cdn';
import { policies as computePolicies } from './compute';
import { policies as elasticachePolicies } from './elasticache';
import { policies as loadBalancerPolicies } from './loadBalancer';
import { policies as networkPolicies } from './network';
import { policies as rdsPolicies } from './rds';

/** Every policy of the pack, in the order the pack reports them. */
export const policies: ResourceValidationPolicy[] = [
  ...rdsPolicies,
  ...loadBalancerPolicies,
  ...cdnPolicies,
  ...networkPolicies,
  ...computePolicies,
  ...autoScalingPolicies,
  ...elasticachePolicies,
];
