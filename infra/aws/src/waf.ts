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

/**
 * A regional web ACL on the load balancer. It sees every request, through CloudFront or not, so one ACL
 * covers both layouts. (An ACL on CloudFront itself would see viewers' own addresses and stop requests at
 * the edge, but it has to live in us-east-1 and costs a second ACL's fixed price.)
 */
export function createWaf(config: StackConfig, loadBalancer: aws.lb.LoadBalancer, naming: Naming): aws.wafv2.WebAcl {
  const client = { behindCloudFront: config.enableCloudFront };
  const allowList =
    config.wafAllowedCidrs.length === 0
      ? []
      : [
          allowListRule(
            0,
            new aws.wafv2.IpSet(naming.name('load-generators'), {
              scope: 'REGIONAL',
              ipAddressVersion: 'IPV4',
              addresses: config.wafAllowedCidrs,
              description: 'TodoBox load generators (wafAllowedCidrs)',
              tags: naming.tags('load-generators'),
            }).arn,
            client,
          ),
        ];

  const webAcl = new aws.wafv2.WebAcl(naming.name('waf'), {
    scope: 'REGIONAL',
    description: `TodoBox ${naming.prefix}: managed rules, login rate limit, the app's body limit`,
    defaultAction: { allow: {} },
    rules: [
      ...allowList,
      managedRuleGroup(MANAGED_RULE_GROUPS.ipReputation, 10),
      loginRateRule(20, client),
      bodyOverAppLimitRule(30),
      managedRuleGroup(MANAGED_RULE_GROUPS.knownBadInputs, 40),
      // Its 8 KB body limit would refuse the app's longer forms; BodyOverAppLimit holds the app's own.
      managedRuleGroup(MANAGED_RULE_GROUPS.core, 50, [CORE_BODY_SIZE_RULE]),
    ],
    visibilityConfig: visibility(naming.name('waf')),
    tags: naming.tags('waf'),
  });
  new aws.wafv2.WebAclAssociation(naming.name('waf-alb'), { resourceArn: loadBalancer.arn, webAclArn: webAcl.arn });
  return webAcl;
}
