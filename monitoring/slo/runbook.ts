import { type SloFile, durationSeconds, errorBudget } from './schema';
import { BURN_ALERT, ruleGroups } from './rules';
import { humanDuration, percent, ratioRecord } from './windows';

export const RUNBOOK_FILE = `runbooks/${BURN_ALERT}.md`;

function objectivesTable(slos: SloFile): string {
  const rows = slos.objectives.map(
    (slo) => `| \`${slo.name}\` | ${percent(slo.target)} of ${slo.description} | ${percent(errorBudget(slo))} | **${slo.title} burn rate**, **${slo.title} error budget remaining** |`,
  );
  const windowSeconds = durationSeconds(slos.window);
  const rates = slos.burnRates.map(
    (rate) =>
      `| \`${rate.name}\` | ${rate.factor === 1 ? 'the' : `${rate.factor} times the`} budget rate over ${rate.long} and over ${rate.short} | ` +
      `${percent((rate.factor * durationSeconds(rate.long)) / windowSeconds)} of the budget per ${rate.long}; all of it within ${humanDuration(windowSeconds / rate.factor)} | ${rate.severity} |`,
  );
  return [
    `Label \`objective\` names the objective (over ${slos.window}; panels on \`/d/todobox-slo\`):`,
    '',
    '| objective | target | budget | panels |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Label `window` says how fast the budget burns (Google SRE workbook, multiwindow, multi-burn-rate):',
    '',
    '| window | condition | budget spent | severity |',
    '|---|---|---|---|',
    ...rates,
  ].join('\n');
}

function ruleBlocks(slos: SloFile): string {
  const alerts = ruleGroups(slos)
    .flatMap((group) => group.rules)
    .filter((rule): rule is Extract<typeof rule, { alert: string }> => 'alert' in rule);
  return slos.objectives
    .map((slo) => {
      const own = alerts.filter((rule) => rule.labels.objective === slo.name);
      const fences = own.map((rule) => `   \`\`\`promql\n${rule.expr.replace(/^/gm, '   ')}\n   \`\`\``);
      const current = `   \`\`\`promql\n   ${ratioRecord(slo, slos.burnRates[0].long)} / ${errorBudget(slo)}\n   \`\`\``;
      return [`   \`${slo.name}\` (${own.map((rule) => rule.labels.window).join(', ')}), then its burn rate now (1 = on budget):`, ...fences, current].join('\n\n');
    })
    .join('\n\n');
}

export function runbookRegions(slos: SloFile) {
  return [
    { name: 'objectives', body: objectivesTable(slos) },
    { name: 'rules', body: ruleBlocks(slos) },
  ];
}

/** The runbook with its generated regions, between their markers, replaced from the SLO file. */
export function renderRunbook(current: string, slos: SloFile): string {
  return runbookRegions(slos).reduce((text, { name, body }) => {
    const begin = `<!-- generated: ${name} (npm run monitoring:generate; edit monitoring/slo/slos.yml) -->`;
    const end = `<!-- end generated: ${name} -->`;
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    if (start < 0 || stop < start) throw new Error(`${RUNBOOK_FILE} lacks the markers of its generated region ${name}`);
    return `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`;
  }, current);
}
