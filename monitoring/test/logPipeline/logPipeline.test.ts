import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { IMAGES } from '../../../infra/docker/src/images';
import { type Dashboard, loadLogDashboards } from '../dashboards';
import { environmentDefault, referenceProblems, schemaProblems, sourcesReachingLoki, streamLabels } from './alloyChecks';
import type { AlloySchema } from './alloySchema';
import { type AlloyBlock, parseAlloy } from './alloySyntax';
import { groupingLabels, jsonFields, labelFilters, lineFilters, selectorLabels } from './logql';
import { type LokiSchema, unknownLokiKeys } from './lokiSchema';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;

/** The schemas were extracted from the reference of these releases: the images must run the same ones. */
const LOKI_VERSION = '3.7.6';
const ALLOY_VERSION = '1.18.1';
const lokiSchema = JSON.parse(read(`monitoring/test/logPipeline/schemas/loki-${LOKI_VERSION}.json`)) as LokiSchema;
const alloySchema = JSON.parse(read(`monitoring/test/logPipeline/schemas/alloy-${ALLOY_VERSION}.json`)) as AlloySchema;

const lokiConfigText = read('monitoring/loki/loki.yml');
const lokiConfig: Yaml = parse(lokiConfigText);
const alloyConfigText = read('monitoring/alloy/config.alloy');
const alloy = parseAlloy(alloyConfigText);
const compose: Yaml = parse(read('docker-compose.yml'), { merge: true });
const lokiDatasource: Yaml = parse(read('monitoring/grafana/provisioning/datasources/loki.yml')).datasources[0];
const logDashboards = loadLogDashboards();

/** A Loki duration (`840h`, `30d`, `1w`) in hours. */
function hours(duration: string): number {
  const units: Record<string, number> = { m: 1 / 60, h: 1, d: 24, w: 168, y: 8760 };
  const parts = [...duration.matchAll(/(\d+)([mhdwy])/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== duration) throw new Error(`Not a Loki duration: ${duration}`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit], 0);
}

function component(name: string, blocks: AlloyBlock[] = alloy): AlloyBlock {
  const found = blocks.find((block) => block.name === name);
  if (!found) throw new Error(`config.alloy has no ${name}`);
  return found;
}

function pathTarget(blocks: AlloyBlock[] = alloy) {
  const targets = component('local.file_match', blocks).attributes.path_targets;
  if (targets?.kind !== 'array' || targets.items[0]?.kind !== 'object') throw new Error('local.file_match has no path_targets object');
  return targets.items[0].fields;
}

/** The field names of docs/logging.md's "Fields of a line" table. */
function documentedFields(): string[] {
  const section = read('docs/logging.md').split(/^## /m).find((part) => part.startsWith('Fields of a line')) ?? '';
  return [...section.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((row) => [...row[1].matchAll(/`(\w+)`/g)].map((field) => field[1]));
}

function dashboardTargets(dashboard: Dashboard): Array<{ panel: string; expr: string }> {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title ?? `panel ${panel.id}`, expr: target.expr ?? '' })));
}

/** The mount target of a named volume or repository folder in a compose service. */
function mountTarget(service: string, source: string): string | undefined {
  const entry = (compose.services[service].volumes as string[]).find((volume) => volume.split(':')[0] === source);
  return entry?.split(':')[1];
}

describe('monitoring/loki/loki.yml (Loki 3.7.6)', () => {
  it('uses only keys of the configuration reference of the pinned release', () => {
    expect(unknownLokiKeys(lokiConfig, lokiSchema)).toEqual([]);
  });

  it('would catch a misspelt or misplaced key', () => {
    const misspelt = { ...lokiConfig, limits_config: { ...lokiConfig.limits_config, retention_perod: '840h' } };
    expect(unknownLokiKeys(misspelt, lokiSchema)).toEqual(['limits_config.retention_perod']);
    // retention_period belongs to limits_config, not to the compactor (a common mistake).
    const misplaced = { ...lokiConfig, compactor: { ...lokiConfig.compactor, retention_period: '840h' } };
    expect(unknownLokiKeys(misplaced, lokiSchema)).toEqual(['compactor.retention_period']);
    const inList = { ...lokiConfig, schema_config: { configs: [{ ...lokiConfig.schema_config.configs[0], shema: 'v13' }] } };
    expect(unknownLokiKeys(inList, lokiSchema)).toEqual(['schema_config.configs[0].shema']);
  });

  it('keeps lines at least 35 days, deleting them through the compactor, which needs its delete-request store', () => {
    expect(hours(lokiConfig.limits_config.retention_period)).toBeGreaterThanOrEqual(35 * 24);
    expect(lokiConfig.compactor).toMatchObject({ retention_enabled: true, delete_request_store: lokiConfig.schema_config.configs[0].object_store });
    expect(() => hours('35 days')).toThrow('Not a Loki duration');
  });

  it('stores a single-tenant TSDB index (schema v13) and its chunks on the volume the Loki container keeps', () => {
    expect(lokiConfig.auth_enabled).toBe(false);
    expect(lokiConfig.schema_config.configs).toEqual([expect.objectContaining({ store: 'tsdb', schema: 'v13', object_store: 'filesystem' })]);
    const dataDir = mountTarget('loki', 'loki_data');
    expect(dataDir).toBe('/loki');
    const paths = [lokiConfig.common.path_prefix, ...Object.values<string>(lokiConfig.common.storage.filesystem), lokiConfig.compactor.working_directory];
    for (const folder of paths) expect([folder, folder.startsWith(`${dataDir}/`) || folder === dataDir]).toEqual([folder, true]);
  });
});

describe('monitoring/alloy/config.alloy (Grafana Alloy 1.18.1)', () => {
  it('parses, and the parser rejects what is not Alloy syntax', () => {
    expect(alloy.map((block) => `${block.name}.${block.label}`)).toEqual([
      'local.file_match.todobox', 'loki.source.file.todobox', 'loki.process.todobox', 'loki.write.loki',
      'local.file_match.nginx', 'loki.source.file.nginx', 'loki.process.edge',
    ]);
    expect(() => parseAlloy('loki.write "x" { endpoint { url = "a" }')).toThrow();
    expect(() => parseAlloy('loki.write "x" { url: "a" }')).toThrow();
    expect(() => parseAlloy('loki.write "x" { a = "1" a = "2" }')).toThrow('set twice');
  });

  it('uses only components, blocks and arguments of the pinned release, with every required one', () => {
    expect(schemaProblems(alloy, alloySchema)).toEqual([]);
    const broken = parseAlloy(alloyConfigText.replace('forward_to = [loki.process', 'forward = [loki.process').replace('format = "RFC3339"', 'layout = "RFC3339"'));
    expect(schemaProblems(broken, alloySchema)).toEqual([
      expect.stringMatching(/loki\.source\.file .*unknown argument forward$/),
      expect.stringMatching(/loki\.source\.file .*missing required argument forward_to$/),
      expect.stringMatching(/stage\.timestamp .*unknown argument layout$/),
      expect.stringMatching(/stage\.timestamp .*missing required argument format$/),
    ]);
    expect(schemaProblems(parseAlloy('loki.write "x" { endpoints { url = "a" } }'), alloySchema)).toEqual([expect.stringMatching(/endpoints .*unknown block$/)]);
  });

  it('refers only to components it defines, to their exports and to standard library functions', () => {
    expect(referenceProblems(alloy, alloySchema)).toEqual([]);
    const broken = parseAlloy(alloyConfigText.replace('loki.write.loki.receiver', 'loki.write.default.receiver').replace('sys.env("TODOBOX_LOG_FILE")', 'env("TODOBOX_LOG_FILE")'));
    expect(referenceProblems(broken, alloySchema)).toEqual(['unknown function env', 'loki.write.default.receiver: no component loki.write.default']);
  });

  it('sends what it reads from the app log file on to Loki, and only counts the nginx access log', () => {
    expect(sourcesReachingLoki(alloy)).toEqual({ 'loki.source.file.todobox': true, 'loki.source.file.nginx': false });
    const dropped = parseAlloy(alloyConfigText.replace('forward_to = [loki.write.loki.receiver]', 'forward_to = []'));
    expect(sourcesReachingLoki(dropped)).toEqual({ 'loki.source.file.todobox': false, 'loki.source.file.nginx': false });
  });

  it('reads the app log file where Docker Compose mounts the app\'s log volume, and only the current file', () => {
    const file = environmentDefault(pathTarget().__path__);
    expect(file?.variable).toBe('TODOBOX_LOG_FILE');
    expect(mountTarget('app', 'app_logs')).toBe('/app/logs');
    expect(file?.fallback).toBe(`${mountTarget('alloy', 'app_logs')}/todobox.log`);
  });

  it('pushes to the Loki service on the port loki.yml listens on, as the Grafana data source reads it', () => {
    const endpoint = component('loki.write').blocks.find((block) => block.name === 'endpoint');
    const url = new URL(environmentDefault(endpoint?.attributes.url)?.fallback ?? '');
    expect([url.hostname, Number(url.port), url.pathname]).toEqual(['loki', lokiConfig.server.http_listen_port, '/loki/api/v1/push']);
    const grafana = new URL(lokiDatasource.url);
    expect([grafana.hostname, Number(grafana.port), lokiDatasource.uid, lokiDatasource.type]).toEqual(['loki', lokiConfig.server.http_listen_port, 'loki', 'loki']);
  });

  it('labels the streams job, env, instance, level and filename, and no high-cardinality field', () => {
    expect(streamLabels(alloy)).toEqual(['env', 'filename', 'instance', 'job', 'level']);
    const withIp = parseAlloy(alloyConfigText.replace('values = { level = "" }', 'values = { level = "", ip = "" }'));
    expect(streamLabels(withIp)).toContain('ip');
    // The edge pipeline's code_class labels its counters, not a stream: it would be one if it went to Loki.
    const edgeStored = parseAlloy(alloyConfigText.replace('forward_to = []', 'forward_to = [loki.write.loki.receiver]'));
    expect(streamLabels(edgeStored)).toContain('code_class');
  });

  it("gives the lines the env every metric of the Docker paths carries, so logs and metrics of one deployment match", () => {
    const envOf = (config: string) => /"env"\s*=\s*"([^"]+)"/.exec(config)?.[1];
    const prometheus: Yaml = parse(read('monitoring/prometheus/prometheus.compose.yml'));
    const metricEnvs = new Set<string>(
      prometheus.scrape_configs.flatMap((job: Yaml) => (job.relabel_configs ?? []).filter((rule: Yaml) => rule.target_label === 'env').map((rule: Yaml) => rule.replacement)),
    );
    expect([...metricEnvs]).toEqual([envOf(alloyConfigText)]);
  });
});

describe('the log containers of docker-compose.yml', () => {
  it('run the pinned releases the schemas come from, the same images as the Pulumi Docker program', () => {
    expect(compose.services.loki.image).toBe(`grafana/loki:${LOKI_VERSION}`);
    expect(compose.services.alloy.image).toBe(`grafana/alloy:v${ALLOY_VERSION}`);
    expect([IMAGES.loki, IMAGES.alloy]).toEqual([compose.services.loki.image, compose.services.alloy.image]);
  });

  it('start Alloy with flags `alloy run` knows, on the mounted config, keeping positions on its own volume', () => {
    const [subcommand, ...args] = compose.services.alloy.command as string[];
    expect(subcommand).toBe('run');
    const flags = args.filter((arg) => arg.startsWith('--')).map((arg) => arg.split('=')[0]);
    expect(flags.filter((flag) => !alloySchema.runFlags.includes(flag))).toEqual([]);
    expect(args.filter((arg) => !arg.startsWith('--'))).toEqual([`${mountTarget('alloy', './monitoring/alloy')}/config.alloy`]);
    expect(args).toContain(`--storage.path=${mountTarget('alloy', 'alloy_data')}`);
    expect(compose.volumes).toHaveProperty('alloy_data');
    expect(compose.services.alloy.volumes).toContain('app_logs:/var/log/todobox:ro');
  });

  it('start Loki on the mounted loki.yml, health-checked on the port it listens on', () => {
    expect(compose.services.loki.command).toEqual([`-config.file=${mountTarget('loki', './monitoring/loki')}/loki.yml`]);
    expect(compose.volumes).toHaveProperty('loki_data');
    // `loki -health` asks http://localhost:3100/ready unless given -health.url (cmd/loki/health.go of 3.7.6).
    expect(compose.services.loki.healthcheck.test).toEqual(['CMD', '/usr/bin/loki', '-health']);
    expect(lokiConfig.server.http_listen_port).toBe(3100);
  });
});

describe('monitoring/grafana/dashboards/logs.json', () => {
  const [dashboard] = logDashboards.map((loaded) => loaded.dashboard);
  const targets = dashboardTargets(dashboard);
  const labels = streamLabels(alloy);

  it('is the one log dashboard, on the provisioned Loki data source, with an env variable from Loki\'s env label', () => {
    expect(logDashboards.map(({ file, dashboard: { uid, title } }) => [file, uid, title])).toEqual([['logs.json', 'todobox-logs', 'TodoBox / Logs']]);
    const variables = Object.fromEntries(dashboard.templating.list.map((variable) => [variable.name, variable]));
    expect(variables.loki).toMatchObject({ type: 'datasource', query: lokiDatasource.type });
    expect(variables.env).toMatchObject({ type: 'query', multi: true, includeAll: true, query: { label: 'env', stream: '{job="todobox"}' } });
    expect(labels).toContain('env');
  });

  it('gives every panel a title, a description, the Loki variable, a query and a place on the grid of its own', () => {
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      expect({ title: panel.title, described: (panel.description ?? '').length > 20, datasource: panel.datasource?.uid, queries: panel.targets?.length })
        .toEqual({ title: expect.stringMatching(/\S/), described: true, datasource: '${loki}', queries: 1 });
      expect(panel.targets?.[0].datasource?.uid).toBe('${loki}');
      for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x += 1) {
        for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y += 1) {
          expect([panel.title, cells.has(`${x},${y}`), x < 24]).toEqual([panel.title, false, true]);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('selects streams by job and env with labels the pipeline sets', () => {
    for (const { panel, expr } of targets) {
      expect({ panel, unknown: selectorLabels(expr).filter((label) => !labels.includes(label)) }).toEqual({ panel, unknown: [] });
      expect({ panel, expr }).toEqual({ panel, expr: expect.stringContaining('{job="todobox", env=~"$env"') });
    }
    expect(selectorLabels('{job="todobox", host="a"} |= "x"').filter((label) => !labels.includes(label))).toEqual(['host']);
  });

  it('groups and filters only by stream labels or by fields the app writes and the query extracts', () => {
    const fields = documentedFields();
    expect(fields).toEqual(expect.arrayContaining(['timestamp', 'level', 'message', 'event', 'ip', 'login', 'requestId']));
    for (const { panel, expr } of targets) {
      const extracted = jsonFields(expr);
      const usable = extracted === 'all' ? fields : [...(extracted ?? [])];
      expect({ panel, undocumented: usable.filter((field) => !fields.includes(field)) }).toEqual({ panel, undocumented: [] });
      const used = [...groupingLabels(expr), ...labelFilters(expr)];
      expect({ panel, unknown: used.filter((label) => !labels.includes(label) && !usable.includes(label)) }).toEqual({ panel, unknown: [] });
    }
    expect(groupingLabels('sum by (ip) (count_over_time({job="todobox"} [1m]))').filter((label) => !labels.includes(label))).toEqual(['ip']);
  });

  it('counts failed logins by client address, and lines by level', () => {
    const byAddress = targets.filter(({ panel }) => /^Failed logins.*by client address$/.test(panel));
    expect(byAddress.length).toBe(2);
    for (const { expr } of byAddress) {
      expect(groupingLabels(expr)).toEqual(['ip']);
      expect(expr).toMatch(/\| event=~"login_failed\|login_failed_blocked"/);
    }
    const byLevel = targets.find(({ panel }) => panel === 'Log lines by level');
    expect(groupingLabels(byLevel?.expr ?? '')).toEqual(['level']);
  });

  it('saves the guide\'s two grep searches: the lines with "Invalid username", and the count of lines with login and failed', () => {
    const invalid = targets.find(({ panel }) => panel === 'Failed logins (grep "Invalid username")');
    expect(lineFilters(invalid?.expr ?? '')).toEqual(['Invalid username']);
    const bruteForce = targets.find(({ panel }) => panel === 'Brute force attempts (grep login | grep -c failed)');
    expect(lineFilters(bruteForce?.expr ?? '')).toEqual(['login', 'failed']);
    expect(bruteForce?.expr).toMatch(/^sum\(count_over_time\(.*\[\$__range\]\)\)$/);
  });
});
