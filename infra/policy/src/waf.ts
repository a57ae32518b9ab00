import * as aws from '@pulumi/aws';
import { type ResourceValidationPolicy, type StackValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { reachedOnlyThroughGuardedCloudFront } from './cloudFrontFronting';
import { resourcesTakingFrom } from './dependencies';
import { guideItem } from './guide';

const DEFENCES = guideItem('Quarterly Tasks', 'Security audit');
const LOGIN_PATH = '/login';

export const albWafAssociation: StackValidationPolicy = {
  name: 'alb-waf-association',
  description:
    'Every Application Load Balancer has a WAF web ACL in front of the app (managed rule sets, the login rate limit): its own, or, ' +
    'when only CloudFront reaches it, the ACL of the CloudFront distribution.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: DEFENCES,
  remediationSteps:
    "Add an aws.wafv2.WebAclAssociation with resourceArn: the load balancer's arn, and webAclArn: a REGIONAL web ACL's arn; or, behind " +
    'CloudFront, give the distribution a webAclId (a CLOUDFRONT-scope ACL) and have every listener forward only on a listener rule ' +
    'requiring the secret header the distribution sends its origin.',
  validateStack: (args, reportViolation) => {
    const loadBalancers = args.resources.filter(
      (resource) =>
        (resource.isType(aws.lb.LoadBalancer) || resource.isType(aws.alb.LoadBalancer)) &&
        (resource.props.loadBalancerType ?? 'application') === 'application',
    );
    for (const loadBalancer of loadBalancers) {
      const associations = resourcesTakingFrom(args.resources, aws.wafv2.WebAclAssociation, 'resourceArn', loadBalancer);
      if (associations.length === 0 && !reachedOnlyThroughGuardedCloudFront(args.resources, loadBalancer)) {
        reportViolation(
          `The load balancer ${loadBalancer.name} must be associated with a WAF web ACL, or serve only requests carrying the origin header ` +
            'of a CloudFront distribution with a webAclId.',
          loadBalancer.urn,
        );
      }
    }
  },
};

interface MatchStatement {
  byteMatchStatement?: { fieldToMatch?: { method?: object; uriPath?: object }; searchString: string };
  regexMatchStatement?: { fieldToMatch?: { method?: object; uriPath?: object }; regexString: string };
}
interface RateRule {
  name: string;
  action?: { block?: object };
  statement: {
    rateBasedStatement?: {
      aggregateKeyType: string;
      scopeDownStatement?: MatchStatement & { andStatement?: { statements?: MatchStatement[] } };
    };
  };
}

function matches(statement: MatchStatement, field: 'method' | 'uriPath', value: string): boolean {
  const byteMatch = statement.byteMatchStatement;
  if (byteMatch?.fieldToMatch?.[field]) return byteMatch.searchString === value;
  const regexMatch = statement.regexMatchStatement;
  return regexMatch?.fieldToMatch?.[field] !== undefined && new RegExp(regexMatch.regexString).test(value);
}

/**
 * A blocking rate rule on the connection's address, scoped down to POST and the login path. Never FORWARDED_IP:
 * WAF reads the first X-Forwarded-For address, which the client writes itself.
 */
function limitsLogins(rule: RateRule): boolean {
  const rate = rule.statement.rateBasedStatement;
  if (!rate || rule.action?.block === undefined || rate.aggregateKeyType !== 'IP') return false;
  const scopeDown = rate.scopeDownStatement;
  const statements = scopeDown?.andStatement?.statements ?? (scopeDown ? [scopeDown] : []);
  return (
    statements.some((statement) => matches(statement, 'method', 'POST')) &&
    statements.some((statement) => matches(statement, 'uriPath', LOGIN_PATH))
  );
}

export const wafLoginRateLimit: ResourceValidationPolicy = {
  name: 'waf-login-rate-limit',
  description:
    `A web ACL blocks clients sending too many POST ${LOGIN_PATH}: a rate-based rule on the connection's address (not a forwarded one, ` +
    'which the client can write), scoped down to the method and path.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  framework: guideItem('Security Review', 'Update admin credentials'),
  remediationSteps:
    'Add a rule with action block and a rateBasedStatement (aggregateKeyType IP; behind CloudFront, in the distribution\'s web ACL) whose ' +
    `scopeDownStatement is an andStatement matching the method POST and the URI path ${LOGIN_PATH}.`,
  validateResource: validateResourceOfType(aws.wafv2.WebAcl, (webAcl, _args, reportViolation) => {
    if (!((webAcl.rules ?? []) as RateRule[]).some(limitsLogins)) {
      reportViolation(`The web ACL must have a blocking rate-based rule on POST ${LOGIN_PATH} per client address (aggregateKeyType IP).`);
    }
  }),
};

/** AWS's managed rule groups every web ACL in front of the app runs, each blocking (not only counting). */
export const REQUIRED_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;
const CORE_RULE_SET = REQUIRED_MANAGED_RULE_GROUPS[0];
/** The core rule set's 8 KB body limit, which would refuse the app's larger forms (todo details, imports). */
const CORE_BODY_SIZE_RULE = 'SizeRestrictions_BODY';

interface ManagedGroupRule {
  name: string;
  overrideAction?: { none?: object; count?: object };
  statement: {
    managedRuleGroupStatement?: {
      vendorName: string;
      name: string;
      ruleActionOverrides?: Array<{ name: string; actionToUse: { count?: object } }>;
    };
  };
}

export const wafManagedRuleGroups: ResourceValidationPolicy = {
  name: 'waf-managed-rule-groups',
  description:
    `A web ACL runs AWS's ${REQUIRED_MANAGED_RULE_GROUPS.join(', ')} with their own actions, the core rule set ` +
    `counting (not blocking) ${CORE_BODY_SIZE_RULE}, whose 8 KB limit is below the app's.`,
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: DEFENCES,
  remediationSteps:
    'Add a rule with overrideAction { none: {} } and a managedRuleGroupStatement (vendorName AWS) for each group; give the ' +
    `${CORE_RULE_SET} one a ruleActionOverrides entry { name: ${CORE_BODY_SIZE_RULE}, actionToUse: { count: {} } }.`,
  validateResource: validateResourceOfType(aws.wafv2.WebAcl, (webAcl, _args, reportViolation) => {
    const groups = new Map<string, ManagedGroupRule>();
    for (const rule of (webAcl.rules ?? []) as ManagedGroupRule[]) {
      const group = rule.statement.managedRuleGroupStatement;
      if (group?.vendorName === 'AWS') groups.set(group.name, rule);
    }
    for (const name of REQUIRED_MANAGED_RULE_GROUPS) {
      const rule = groups.get(name);
      if (!rule) reportViolation(`The web ACL must run the AWS managed rule group ${name}.`);
      else if (rule.overrideAction?.none === undefined) {
        reportViolation(`The web ACL's rule ${rule.name} must let ${name} block (overrideAction none): counting it blocks nothing.`);
      }
    }
    const overrides = groups.get(CORE_RULE_SET)?.statement.managedRuleGroupStatement?.ruleActionOverrides ?? [];
    if (groups.has(CORE_RULE_SET) && !overrides.some((override) => override.name === CORE_BODY_SIZE_RULE && override.actionToUse.count !== undefined)) {
      reportViolation(`The web ACL's ${CORE_RULE_SET} must count ${CORE_BODY_SIZE_RULE} instead of blocking: its 8 KB limit refuses the app's larger forms.`);
    }
  }),
};

export const resourcePolicies: ResourceValidationPolicy[] = [wafLoginRateLimit, wafManagedRuleGroups];
export const stackPolicies: StackValidationPolicy[] = [albWafAssociation];
