import type * as aws from '@pulumi/aws';
import { visibility } from './wafRules';

/**
 * The core rule set's body rules, and the labels they add (AWS names them differently). A todo's Markdown details
 * legitimately hold HTML, code, file paths and URLs, which these take for attacks; the app renders Markdown
 * through an allow-list sanitizer, escapes all other output and sets a strict CSP.
 */
export const CORE_BODY_LABELS = {
  CrossSiteScripting_BODY: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
  GenericLFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
  GenericRFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body',
  EC2MetaDataSSRF_BODY: 'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body',
} as const;

/** The routes whose bodies carry Markdown details (app/src/todos/routes.ts, app/src/api/routes.ts). */
const MARKDOWN_ROUTES = [
  { method: 'POST', path: '^/todos(/[^/]+)?/?$' },
  { method: 'POST', path: '^/api/todos/?$' },
  { method: 'PATCH', path: '^/api/todos/[^/]+/?$' },
];

/** Express matches routes ignoring case and a trailing slash, so the path is compared decoded and lowercased. */
function onRoute(route: { method: string; path: string }): aws.types.input.wafv2.WebAclRuleStatement {
  return {
    andStatement: {
      statements: [
        {
          byteMatchStatement: {
            fieldToMatch: { method: {} },
            positionalConstraint: 'EXACTLY',
            searchString: route.method,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        {
          regexMatchStatement: {
            fieldToMatch: { uriPath: {} },
            regexString: route.path,
            textTransformations: [
              { priority: 0, type: 'URL_DECODE' },
              { priority: 1, type: 'LOWERCASE' },
            ],
          },
        },
      ],
    },
  };
}

/**
 * AWS's pattern for a managed rule's false positives: the group only counts these rules, which still label the
 * request, and this rule, after the group, blocks what they labelled on every route but the Markdown ones.
 */
export function coreBodyRulesOutsideMarkdownRule(priority: number): aws.types.input.wafv2.WebAclRule {
  return {
    name: 'CoreBodyRulesOutsideMarkdown',
    priority,
    action: { block: {} },
    statement: {
      andStatement: {
        statements: [
          { orStatement: { statements: Object.values(CORE_BODY_LABELS).map((key) => ({ labelMatchStatement: { scope: 'LABEL', key } })) } },
          { notStatement: { statement: { orStatement: { statements: MARKDOWN_ROUTES.map(onRoute) } } } },
        ],
      },
    },
    visibilityConfig: visibility('CoreBodyRulesOutsideMarkdown'),
  };
}
