import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SAMPLE_ANSWERS as ANSWERS, accessLine, logFormat } from '../nginxAccessLog';
import { recordingRules } from '../ruleFiles';
import { environmentDefault } from './alloyChecks';
import { definedMetrics, runPipeline } from './alloyPipeline';
import { type AlloyBlock, parseAlloy } from './alloySyntax';
import { renderGoTemplate } from './goTemplate';
import { re2ToRegExp } from './re2';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const EDGE_METRIC = 'todobox_edge_http_requests_total';

const alloy = parseAlloy(read('monitoring/alloy/config.alloy'));
const composePrometheus = parse(read('monitoring/prometheus/prometheus.compose.yml'));
const compose = parse(read('docker-compose.yml'), { merge: true });

function component(name: string, label: string): AlloyBlock {
  const found = alloy.find((block) => block.name === name && block.label === label);
  if (!found) throw new Error(`config.alloy has no ${name} "${label}"`);
  return found;
}

const edge = component('loki.process', 'edge');
const edgeSource = component('loki.source.file', 'nginx');
const edgeFiles = component('local.file_match', 'nginx');

/** The labels loki.source.file gives a line of the edge log: its target's (but __ ones) and filename. */
function edgeStreamLabels(): Record<string, string> {
  const targets = edgeFiles.attributes.path_targets;
  const target = targets?.kind === 'array' && targets.items[0]?.kind === 'object' ? targets.items[0].fields : {};
  const labels = Object.fromEntries(Object.entries(target).flatMap(([name, value]) => (name.startsWith('__') || value.kind !== 'string' ? [] : [[name, value.value]])));
  return { ...labels, filename: environmentDefault(target.__path__)?.fallback ?? '' };
}

/** The label matchers of every selector of `metric` in the SLO rules, and the labels they are summed by. */
function sloSelectors(metric: string): { matchers: Array<{ label: string; op: string; value: string }>; groupedBy: string[] } {
  const exprs = recordingRules().map((rule) => rule.expr).filter((expr) => expr.includes(metric));
  const matchers = exprs.flatMap((expr) =>
    [...expr.matchAll(new RegExp(`${metric}\\{([^}]*)\\}`, 'g'))].flatMap((selector) =>
      [...selector[1].matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(([, label, op, value]) => ({ label, op, value })),
    ),
  );
  const groupedBy = exprs.flatMap((expr) => [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((by) => by[1].split(',').map((label) => label.trim())));
  return { matchers, groupedBy: [...new Set(groupedBy)] };
}

/** Whether a Prometheus label matcher selects `value` (regular expressions are anchored). */
function matches(op: string, pattern: string, value: string | undefined): boolean {
  const actual = value ?? '';
  if (op === '=') return actual === pattern;
  if (op === '!=') return actual !== pattern;
  const anchored = new RegExp(`^(?:${pattern})$`).test(actual);
  return op === '=~' ? anchored : !anchored;
}

function edgeRun(lines: string[]) {
  return runPipeline(edge, lines, edgeStreamLabels());
}

describe('the RE2 and Go template subsets the edge pipeline is checked with', () => {
  it('refuse what JavaScript would read differently or not at all', () => {
    expect(re2ToRegExp('^(?P<code>\\d)xx$').exec('5xx')?.groups).toEqual({ code: '5' });
    expect(() => re2ToRegExp('a(?=b)')).toThrow('lookaround');
    expect(() => re2ToRegExp('(a)\\1')).toThrow('backreference');
    expect(() => re2ToRegExp('(?i)get')).toThrow('inline flag');
    expect(() => re2ToRegExp('\\Aget')).toThrow('RE2-only');
    expect(renderGoTemplate('{{ if .a }}{{ .a }}xx{{ end }}', { a: '5' })).toBe('5xx');
    expect(renderGoTemplate('{{ if .a }}{{ .a }}xx{{ end }}', {})).toBe('');
    expect(() => renderGoTemplate('{{ ToUpper .a }}', { a: 'x' })).toThrow('Unsupported');
  });
});

describe('the edge SLI of monitoring/alloy/config.alloy', () => {
  it('reads the nginx access log into a pipeline of its own', () => {
    const targets = edgeSource.attributes.targets;
    expect(targets).toEqual({ kind: 'reference', path: 'local.file_match.nginx.targets' });
    expect(edgeSource.attributes.forward_to).toEqual({ kind: 'array', items: [{ kind: 'reference', path: 'loki.process.edge.receiver' }] });
  });

  it('counts the lines of the shipped log_format by status class, 502 and 504 of nginx among the 5xx', () => {
    const lines = ANSWERS.map(([status, time]) => accessLine(logFormat('infra/server/nginx/compose.conf'), status, time));
    // A line in another format (a rotated file from an older config) is not counted.
    const { counters, observations } = edgeRun([...lines, 'not an access log line 200']);
    expect(counters).toEqual({
      [EDGE_METRIC]: { 'code_class="2xx"': 2, 'code_class="3xx"': 1, 'code_class="4xx"': 1, 'code_class="5xx"': 3 },
    });
    const durations = Object.values(observations.todobox_edge_http_request_duration_seconds ?? {}).flat();
    expect(durations.length).toBe(ANSWERS.length);
    expect(durations.reduce((sum, value) => sum + value, 0)).toBeCloseTo(60.217, 3);
  });

  it('parses the line with the regular expression of the mtail program, so both paths count alike', () => {
    const mtailRegex = /^\/(.*)\/ \{$/m.exec(read('monitoring/mtail/todobox.mtail'))?.[1];
    const regex = edge.blocks.find((stage) => stage.name === 'stage.regex')?.attributes.expression;
    expect(regex).toEqual({ kind: 'string', value: mtailRegex });
  });

  it('names its metrics as the mtail program does, with the prefix set (the default would be loki_process_custom_)', () => {
    const mtail = read('monitoring/mtail/todobox.mtail');
    const names = definedMetrics(edge).map((metric) => metric.name);
    expect(names).toEqual([EDGE_METRIC, 'todobox_edge_http_request_duration_seconds']);
    for (const name of names) expect(mtail).toMatch(new RegExp(`^(counter|histogram) ${name}\\b`, 'm'));
    const unprefixed = parseAlloy(read('monitoring/alloy/config.alloy').replace(/prefix {12}= "todobox_edge_"\n/g, ''));
    expect(definedMetrics(unprefixed.find((block) => block.label === 'edge') as AlloyBlock)[0].name).toBe('loki_process_custom_http_requests_total');
  });

  it('gives the series exactly the labels and values the generated SLO rules select, and none the scrape adds', () => {
    const { matchers, groupedBy } = sloSelectors(EDGE_METRIC);
    expect(matchers.length).toBeGreaterThan(0);
    const bad = edgeRun([accessLine(logFormat('infra/server/nginx/compose.conf'), 502, '0.001')]).counters[EDGE_METRIC];
    const good = edgeRun([accessLine(logFormat('infra/server/nginx/compose.conf'), 200, '0.010')]).counters[EDGE_METRIC];
    const labelsOf = (series: Record<string, number>) => Object.fromEntries(Object.keys(series)[0].split(',').map((pair) => pair.split('=')).map(([name, value]) => [name, JSON.parse(value) as string]));
    const [badLabels, goodLabels] = [labelsOf(bad), labelsOf(good)];
    const nginxJob = composePrometheus.scrape_configs.find((job: { job_name: string }) => job.job_name === 'nginx');
    const scrapeLabels: Record<string, string> = {
      job: nginxJob?.job_name,
      ...Object.fromEntries((nginxJob?.relabel_configs ?? []).filter((rule: { source_labels?: string[] }) => !rule.source_labels).map((rule: { target_label: string; replacement: string }) => [rule.target_label, rule.replacement])),
    };
    // A label both on the series and set by the scrape would be renamed exported_<label>.
    expect(Object.keys(badLabels).filter((label) => label in scrapeLabels || label === 'instance')).toEqual([]);
    for (const { label, op, value } of matchers) {
      const from = label in scrapeLabels ? scrapeLabels : badLabels;
      expect({ label, op, value, selected: label in scrapeLabels || label in badLabels }).toEqual({ label, op, value, selected: true });
      if (op === '=' || op === '=~') expect({ label, matched: matches(op, value, from[label]) }).toEqual({ label, matched: true });
    }
    // The error selector takes a 502 and leaves a 200.
    const errorMatchers = matchers.filter(({ label }) => !(label in scrapeLabels));
    expect(errorMatchers.length).toBeGreaterThan(0);
    expect(errorMatchers.every(({ label, op, value }) => matches(op, value, badLabels[label]))).toBe(true);
    expect(errorMatchers.every(({ label, op, value }) => matches(op, value, goodLabels[label]))).toBe(false);
    for (const label of groupedBy) expect({ label, set: label in scrapeLabels || label in badLabels }).toEqual({ label, set: true });
  });

  it('is scraped by Prometheus on the address Alloy listens on, and Loki on the port loki.yml sets', () => {
    const targetsOf = (name: string): string[] => composePrometheus.scrape_configs.find((job: { job_name: string }) => job.job_name === name)?.static_configs?.[0]?.targets ?? [];
    const listen = (compose.services.alloy.command as string[]).find((arg) => arg.startsWith('--server.http.listen-addr='))?.split('=')[1] ?? '';
    const [host, port] = listen.split(':');
    expect(host).not.toMatch(/^(127\.|localhost$)/);
    expect(targetsOf('nginx')).toEqual([`alloy:${port}`]);
    const lokiPort = parse(read('monitoring/loki/loki.yml')).server.http_listen_port;
    expect(targetsOf('loki')).toEqual([`loki:${lokiPort}`]);
  });
});
