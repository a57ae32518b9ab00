import * as aws from '@pulumi/aws';
import type { PolicyResource } from '@pulumi/policy';
import { takesFrom } from './dependencies';

interface Action {
  type: string;
}
interface Condition {
  httpHeader?: { httpHeaderName: string };
}
interface Origin {
  customHeaders?: Array<{ name: string }>;
}

const isListener = (resource: PolicyResource) => resource.isType(aws.lb.Listener) || resource.isType(aws.alb.Listener);
const isListenerRule = (resource: PolicyResource) => resource.isType(aws.lb.ListenerRule) || resource.isType(aws.alb.ListenerRule);
const forwards = (actions: unknown) => ((actions ?? []) as Action[]).some((action) => action.type === 'forward');

/** The header names CloudFront distributions that run a web ACL send their origins (the origin secret among them). */
function headersOfGuardedDistributions(resources: PolicyResource[]): Set<string> {
  const names = new Set<string>();
  for (const distribution of resources.filter((resource) => resource.isType(aws.cloudfront.Distribution) && resource.props.webAclId)) {
    for (const origin of (distribution.props.origins ?? []) as Origin[]) {
      for (const header of origin.customHeaders ?? []) names.add(header.name.toLowerCase());
    }
  }
  return names;
}

/**
 * Whether the load balancer serves only what came through a CloudFront distribution running a web ACL: no
 * listener of it forwards by default, and each listener rule that forwards requires a header such a
 * distribution sends its origin. The header's value (the origin secret) is policed by cloudfront-origin-secret;
 * CloudFront's origin-facing prefix list on the security group keeps other clients away.
 */
export function reachedOnlyThroughGuardedCloudFront(resources: PolicyResource[], loadBalancer: PolicyResource): boolean {
  const headers = headersOfGuardedDistributions(resources);
  if (headers.size === 0) return false;
  const listeners = resources.filter((resource) => isListener(resource) && takesFrom(resource, 'loadBalancerArn', loadBalancer));
  return listeners.every((listener) => {
    if (forwards(listener.props.defaultActions)) return false;
    return resources
      .filter((resource) => isListenerRule(resource) && takesFrom(resource, 'listenerArn', listener))
      .filter((rule) => forwards(rule.props.actions))
      .every((rule) => ((rule.props.conditions ?? []) as Condition[]).some((condition) => headers.has(condition.httpHeader?.httpHeaderName.toLowerCase() ?? '')));
  });
}
