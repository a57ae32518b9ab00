import type * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { numbersAbovePattern } from './numbersAbove';

type Rule = aws.types.input.wafv2.WebAclRule;

/** The app's BODY_LIMIT (app/src/app.ts), its largest form or JSON body; the app answers 413 above it. */
export const APP_BODY_LIMIT_BYTES = 256 * 1024;
/**
 * Login attempts per client address in five minutes. A person, or an office behind one address, stays far
 * below; a password-guessing script does not. The app's own throttle (per account and per address) still
 * counts failures behind it.
 */
export const LOGIN_RATE_LIMIT = 100;
export const LOGIN_RATE_WINDOW_SECONDS = 300;
export const FORWARDED_FOR = 'X-Forwarded-For';
/** The core rule set's rule refusing bodies over 8 KB, far below the forms the app takes. */
export const CORE_BODY_SIZE_RULE = 'SizeRestrictions_BODY';

export const MANAGED_RULE_GROUPS = {
  ipReputation: 'AWSManagedRulesAmazonIpReputationList',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  core: 'AWSManagedRulesCommonRuleSet',
} as const;

/** Metrics and sampled requests for every rule: the console and CloudWatch show what each one blocked. */
export function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/**
 * Behind CloudFront every request reaches the load balancer from a CloudFront address, and the client's
 * address is the one CloudFront appends to X-Forwarded-For; without CloudFront it is the connection's own.
 */
export interface ClientAddress {
  behindCloudFront: boolean;
}

/**
 * The load generators' networks, allowed before any other rule so a load test is not rate limited or
 * refused as a bot. Behind CloudFront the address read is the last one in X-Forwarded-For, the one
 * CloudFront added: the ones before it are whatever the client claimed, and would let anyone in.
 */
export function allowListRule(priority: number, ipSetArn: pulumi.Input<string>, client: ClientAddress): Rule {
  const forwarded = { ipSetForwardedIpConfig: { headerName: FORWARDED_FOR, fallbackBehavior: 'NO_MATCH', position: 'LAST' } };
  return {
    name: 'AllowListedLoadGenerators',
    priority,
    action: { allow: {} },
    statement: { ipSetReferenceStatement: { arn: ipSetArn, ...(client.behindCloudFront ? forwarded : {}) } },
    visibilityConfig: visibility('AllowListedLoadGenerators'),
  };
}

export function managedRuleGroup(name: string, priority: number, countInstead: string[] = []): Rule {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ruleActionOverrides: countInstead.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
      },
    },
    visibilityConfig: visibility(name),
  };
}

/**
 * POST /login per client address. Express matches routes ignoring case and a trailing slash, so the path
 * is compared decoded and lowercased. Behind CloudFront, WAF keys on the first address of
 * X-Forwarded-For, which a client can set itself: this rule stops scripts that do not bother, and the
 * app's throttle (which trusts exactly the two proxies) holds for those that do. A first entry that is
 * no address counts as matching (MATCH), so garbage in the header does not dodge the count; WAF skips a
 * request without the header, which has not come through CloudFront and gets the listener's 403.
 */
export function loginRateRule(priority: number, client: ClientAddress): Rule {
  const key = client.behindCloudFront
    ? { aggregateKeyType: 'FORWARDED_IP', forwardedIpConfig: { headerName: FORWARDED_FOR, fallbackBehavior: 'MATCH' } }
    : { aggregateKeyType: 'IP' };
  return {
    name: 'LoginRateLimit',
    priority,
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit: LOGIN_RATE_LIMIT,
        evaluationWindowSec: LOGIN_RATE_WINDOW_SECONDS,
        ...key,
        scopeDownStatement: {
          andStatement: {
            statements: [
              {
                byteMatchStatement: {
                  fieldToMatch: { method: {} },
                  positionalConstraint: 'EXACTLY',
                  searchString: 'POST',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
              {
                regexMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  regexString: '^/login/?$',
                  textTransformations: [
                    { priority: 0, type: 'URL_DECODE' },
                    { priority: 1, type: 'LOWERCASE' },
                  ],
                },
              },
            ],
          },
        },
      },
    },
    visibilityConfig: visibility('LoginRateLimit'),
  };
}

/**
 * Refuses bodies the app would refuse anyway (413), before they reach it. It replaces the core rule set's
 * 8 KB limit, but cannot be a size constraint on the body: on a load balancer WAF sees only the first
 * 8 KB of a body (fixed for ALB), so such a rule could only tell "over 8 KB" (oversizeHandling MATCH,
 * the very limit being replaced) or nothing at all (CONTINUE). The declared Content-Length is read
 * instead, and the load balancer holds the body to it.
 */
export function bodyOverAppLimitRule(priority: number): Rule {
  return {
    name: 'BodyOverAppLimit',
    priority,
    action: { block: {} },
    statement: {
      regexMatchStatement: {
        fieldToMatch: { singleHeader: { name: 'content-length' } },
        regexString: numbersAbovePattern(APP_BODY_LIMIT_BYTES),
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    },
    visibilityConfig: visibility('BodyOverAppLimit'),
  };
}
