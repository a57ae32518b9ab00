/**
 * The core rule set's body rules a web ACL may count instead of blocking, and the label each adds (AWS names them
 * differently): counted, a rule still labels the request, and a blocking rule after the group that matches the
 * label keeps it refused on every route but those it misjudges.
 */
export const CORE_BODY_RULE_LABELS: Record<string, string> = {
  CrossSiteScripting_BODY: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
  GenericLFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
  GenericRFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body',
  EC2MetaDataSSRF_BODY: 'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body',
};

interface Statement {
  labelMatchStatement?: { scope: string; key: string };
  andStatement?: { statements?: Statement[] };
  orStatement?: { statements?: Statement[] };
}
export interface LabelRule {
  priority: number;
  action?: { block?: object };
  statement: Statement;
}

/** The labels whose presence a statement requires or allows; one under a NOT statement is left out, it exempts. */
function labelsMatched(statement: Statement): string[] {
  const label = statement.labelMatchStatement;
  if (label?.scope === 'LABEL') return [label.key];
  return [...(statement.andStatement?.statements ?? []), ...(statement.orStatement?.statements ?? [])].flatMap(labelsMatched);
}

/** The labels that blocking rules evaluated after the given priority match. */
export function labelsBlockedAfter(rules: LabelRule[], priority: number): Set<string> {
  return new Set(rules.filter((rule) => rule.priority > priority && rule.action?.block !== undefined).flatMap((rule) => labelsMatched(rule.statement)));
}
