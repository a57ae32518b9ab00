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

/** The load generators' networks, allowed before any other rule so a load test is not rate limited or refused as a bot. */
export function allowListRule(priority: number, ipSetArn: pulumi.Input<string>): Rule {
  return {
    name: 'AllowListedLoadGenerators',
    priority,
    action: { allow: {} },
    statement: { ipSetReferenceStatement: { arn: ipSetArn } },
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
 * POST /login per client address: the connection's, never an X-Forwarded-For entry, whose first address the
 * client writes itself. Express matches routes ignoring case and a trailing slash, so the path is compared
 * decoded and lowercased.
 */
export function loginRateRule(priority: number): Rule {
  return {
    name: 'LoginRateLimit',
    priority,
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit: LOGIN_RATE_LIMIT,
        evaluationWindowSec: LOGIN_RATE_WINDOW_SECONDS,
        aggregateKeyType: 'IP',
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
 * Refuses bodies the app would refuse anyway (413), before they reach it (at the edge, before they cross to
 * the origin). It replaces the core rule set's 8 KB limit, but cannot be a size constraint on the body: WAF
 * sees only the first 8 KB of a body on a load balancer, 16 KB at CloudFront (64 KB at most, billed extra),
 * all far below the app's limit, so such a rule could only tell "over what WAF sees" (oversizeHandling MATCH)
 * or nothing at all (CONTINUE). The declared Content-Length is read instead, which the proxies hold the body to.
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
