import type { AlloyBlock, AlloyExpression } from './alloySyntax';
import { renderGoTemplate } from './goTemplate';
import { re2ToRegExp } from './re2';

/** Alloy's default stage.metrics prefix, used when `prefix` is unset or empty (stages/metric.go of 1.18.1). */
const DEFAULT_METRICS_PREFIX = 'loki_process_custom_';

/** One metric a stage.metrics block defines, under the name it has on Alloy's /metrics. */
export interface DefinedMetric {
  kind: 'counter' | 'gauge' | 'histogram';
  name: string;
  source: string;
  block: AlloyBlock;
}

/** What a loki.process pipeline made of a run of lines: counter values and histogram observations, by label set. */
export interface PipelineResult {
  counters: Record<string, Record<string, number>>;
  observations: Record<string, Record<string, number[]>>;
}

function stringArgument(block: AlloyBlock, name: string): string | undefined {
  const value = block.attributes[name];
  return value?.kind === 'string' ? value.value : undefined;
}

function stringList(expression: AlloyExpression | undefined): string[] {
  return expression?.kind === 'array' ? expression.items.flatMap((item) => (item.kind === 'string' ? [item.value] : [])) : [];
}

/** The metrics a loki.process component defines in its stage.metrics blocks. */
export function definedMetrics(process: AlloyBlock): DefinedMetric[] {
  return process.blocks
    .filter((stage) => stage.name === 'stage.metrics')
    .flatMap((stage) => stage.blocks)
    .map((block) => {
      const name = stringArgument(block, 'name') ?? '';
      return {
        kind: block.name.replace(/^metric\./, '') as DefinedMetric['kind'],
        name: `${stringArgument(block, 'prefix') || DEFAULT_METRICS_PREFIX}${name}`,
        source: stringArgument(block, 'source') || name,
        block,
      };
    });
}

function labelKey(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}="${value}"`)
    .join(',');
}

/**
 * Runs lines through the stages of a loki.process component as Alloy 1.18.1 does, for the stages the
 * shipped config uses (regex, template, labels, label_keep, label_drop, static_labels, metrics with
 * counters that `inc` and histograms): metrics take the line's labels at their stage. Any other stage
 * is refused.
 */
export function runPipeline(process: AlloyBlock, lines: string[], streamLabels: Record<string, string>): PipelineResult {
  const result: PipelineResult = { counters: {}, observations: {} };
  for (const line of lines) {
    let labels = { ...streamLabels };
    const extracted: Record<string, string> = {};
    for (const stage of process.blocks) {
      if (stage.name === 'stage.regex') {
        const groups = re2ToRegExp(stringArgument(stage, 'expression') ?? '').exec(line)?.groups ?? {};
        for (const [name, value] of Object.entries(groups)) if (value !== undefined) extracted[name] = value;
      } else if (stage.name === 'stage.template') {
        const source = stringArgument(stage, 'source') ?? '';
        const rendered = renderGoTemplate(stringArgument(stage, 'template') ?? '', { ...extracted, Value: extracted[source] ?? '' });
        // An empty result removes the key (stages/template.go).
        if (rendered === '') delete extracted[source];
        else extracted[source] = rendered;
      } else if (stage.name === 'stage.labels') {
        const values = stage.attributes.values;
        for (const [label, from] of Object.entries(values?.kind === 'object' ? values.fields : {})) {
          const key = from.kind === 'string' && from.value !== '' ? from.value : label;
          if (extracted[key] !== undefined) labels[label] = extracted[key];
        }
      } else if (stage.name === 'stage.static_labels') {
        const values = stage.attributes.values;
        for (const [label, value] of Object.entries(values?.kind === 'object' ? values.fields : {})) if (value.kind === 'string') labels[label] = value.value;
      } else if (stage.name === 'stage.label_keep') {
        const keep = stringList(stage.attributes.values);
        labels = Object.fromEntries(Object.entries(labels).filter(([label]) => keep.includes(label)));
      } else if (stage.name === 'stage.label_drop') {
        const drop = stringList(stage.attributes.values);
        labels = Object.fromEntries(Object.entries(labels).filter(([label]) => !drop.includes(label)));
      } else if (stage.name === 'stage.metrics') {
        for (const metric of definedMetrics({ ...process, blocks: [stage] })) {
          const value = extracted[metric.source];
          if (value === undefined) continue;
          if (metric.kind === 'counter' && stringArgument(metric.block, 'action') === 'inc' && metric.block.attributes.value === undefined) {
            const series = (result.counters[metric.name] ??= {});
            series[labelKey(labels)] = (series[labelKey(labels)] ?? 0) + 1;
          } else if (metric.kind === 'histogram' && metric.block.attributes.value === undefined) {
            ((result.observations[metric.name] ??= {})[labelKey(labels)] ??= []).push(Number(value));
          } else {
            throw new Error(`The test pipeline does not run this ${metric.kind} of ${metric.name}`);
          }
        }
      } else {
        throw new Error(`The test pipeline does not run ${stage.name} (line ${stage.line})`);
      }
    }
  }
  return result;
}
