import * as aws from '@pulumi/aws';
import type { StackConfig } from './config';
import type { Naming } from './naming';
import {
  CORE_BODY_SIZE_RULE,
  MANAGED_RULE_GROUPS,
  allowListRule,
  bodyOverAppLimitRule,
  loginRateRule,
  managedRuleGroup,
  visibility,
} from './wafRules';

/** Where a web ACL sits, and the names of its resources there (the regional ones keep their first names). */
interface Placement {
  scope: 'REGIONAL' | 'CLOUDFRONT';
  aclComponent: string;
  ipSetComponent: string;
  provider?: aws.Provider;
}

/**
 * The same rules wherever the ACL sits: it sees the client's own address as the connection's, which no
 * header can forge, so the rate limit, the IP reputation list and the allow-list key on it.
 */
function createWebAcl(config: StackConfig, naming: Naming, placement: Placement): aws.wafv2.WebAcl {
  const { scope, aclComponent, ipSetComponent } = placement;
  const opts = { provider: placement.provider };
  const allowList =
    config.wafAllowedCidrs.length === 0
      ? []
      : [
          allowListRule(
            0,
            new aws.wafv2.IpSet(
              naming.name(ipSetComponent),
              {
                scope,
                ipAddressVersion: 'IPV4',
                addresses: config.wafAllowedCidrs,
                description: 'TodoBox load generators (wafAllowedCidrs)',
                tags: naming.tags(ipSetComponent),
              },
              opts,
            ).arn,
          ),
        ];

  return new aws.wafv2.WebAcl(
    naming.name(aclComponent),
    {
      scope,
      description: `TodoBox ${naming.prefix}: managed rules, login rate limit, the app's body limit`,
      defaultAction: { allow: {} },
      rules: [
        ...allowList,
        managedRuleGroup(MANAGED_RULE_GROUPS.ipReputation, 10),
        loginRateRule(20),
        bodyOverAppLimitRule(30),
        managedRuleGroup(MANAGED_RULE_GROUPS.knownBadInputs, 40),
        // Its 8 KB body limit would refuse the app's longer forms; BodyOverAppLimit holds the app's own.
        managedRuleGroup(MANAGED_RULE_GROUPS.core, 50, [CORE_BODY_SIZE_RULE]),
      ],
      visibilityConfig: visibility(naming.name(aclComponent)),
      tags: naming.tags(aclComponent),
    },
    opts,
  );
}

/** Without CloudFront: a regional web ACL on the load balancer, which clients connect to. */
export function createLoadBalancerWaf(config: StackConfig, loadBalancer: aws.lb.LoadBalancer, naming: Naming): aws.wafv2.WebAcl {
  const webAcl = createWebAcl(config, naming, { scope: 'REGIONAL', aclComponent: 'waf', ipSetComponent: 'load-generators' });
  new aws.wafv2.WebAclAssociation(naming.name('waf-alb'), { resourceArn: loadBalancer.arn, webAclArn: webAcl.arn });
  return webAcl;
}

/**
 * With CloudFront: the web ACL sits at the edge (scope CLOUDFRONT, in us-east-1), where clients connect.
 * The load balancer keeps none: it takes HTTPS only from CloudFront's origin-facing addresses and answers
 * 403 without the stack's origin secret, so every request it serves has passed this ACL; a regional one
 * would see CloudFront's addresses only, so its rate limit could key on nothing but the X-Forwarded-For
 * entry the client writes, and it would bill each request a second time.
 */
export function createCloudFrontWaf(config: StackConfig, naming: Naming, provider: aws.Provider): aws.wafv2.WebAcl {
  return createWebAcl(config, naming, { scope: 'CLOUDFRONT', aclComponent: 'cdn-waf', ipSetComponent: 'cdn-load-generators', provider });
}
