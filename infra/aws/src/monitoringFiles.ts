import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The kit's monitoring folder, read when `pulumi up` runs. */
export const MONITORING_DIRECTORY = path.resolve(__dirname, '../../../monitoring');
export const PROMETHEUS_AWS_TEMPLATE = path.join(MONITORING_DIRECTORY, 'prometheus/prometheus.aws.yml');

/** One file the monitoring host installs, at its absolute path there. */
export interface MonitoringFile {
  destination: string;
  content: string;
}

/** What a stack writes into prometheus.aws.yml's `{{NAME}}` placeholders. */
export interface PrometheusTemplateValues {
  REGION: string;
  /** The Name tag the auto scaling group gives each app server. */
  APP_SERVER_NAME: string;
  ENVIRONMENT: string;
  /** Where a visitor reaches the app, without a trailing slash. */
  PUBLIC_URL: string;
}

/** Fills every placeholder, and refuses a template naming one it has no value for, or a value left unused. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`The template names {{${name}}}, which has no value`);
    used.add(name);
    return values[name];
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`The template never uses ${unused.join(', ')}`);
  return rendered;
}

function folderFiles(folder: string, extension: string, destinationFolder: string): MonitoringFile[] {
  const source = path.join(MONITORING_DIRECTORY, folder);
  return readdirSync(source)
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => ({ destination: `${destinationFolder}/${name}`, content: readFileSync(path.join(source, name), 'utf8') }));
}

const SHIPPED_DATASOURCE = path.join(MONITORING_DIRECTORY, 'grafana/provisioning/datasources/prometheus.yml');
const COMPOSE_PROMETHEUS_URL = 'url: http://prometheus:9090';

/** The shipped data source, pointed at the Prometheus beside Grafana on the host instead of compose's service name. */
function grafanaDatasource(): MonitoringFile {
  const shipped = readFileSync(SHIPPED_DATASOURCE, 'utf8');
  if (!shipped.includes(COMPOSE_PROMETHEUS_URL)) throw new Error(`${SHIPPED_DATASOURCE} no longer says ${COMPOSE_PROMETHEUS_URL}`);
  return { destination: '/etc/grafana/provisioning/datasources/prometheus.yml', content: shipped.replace(COMPOSE_PROMETHEUS_URL, 'url: http://127.0.0.1:9090') };
}

const SHIPPED_ALERTMANAGER = path.join(MONITORING_DIRECTORY, 'alertmanager/alertmanager.yml');
const SLACK_SHAPED_WATCHDOG = `  - name: watchdog
    slack_configs:
      - api_url_file: /etc/prometheus/secrets/watchdog-url
        send_resolved: false
        title: Watchdog
        text: The TodoBox alerting pipeline works.
`;
const WEBHOOK_WATCHDOG = `  - name: watchdog
    webhook_configs:
      - url_file: /etc/prometheus/secrets/watchdog-url
        send_resolved: false
`;

/**
 * The shipped routes, with the Watchdog pinged by a webhook: the host's Alertmanager (monitoringAlertmanager.ts)
 * reads a webhook's url_file safely, and its Slack integration counts a dead man's switch's `OK` answer as a failed send.
 */
function ubuntuAlertmanager(): MonitoringFile {
  const shipped = readFileSync(SHIPPED_ALERTMANAGER, 'utf8');
  if (!shipped.includes(SLACK_SHAPED_WATCHDOG)) throw new Error(`${SHIPPED_ALERTMANAGER} no longer has the Slack-shaped watchdog receiver`);
  return { destination: '/etc/prometheus/alertmanager.yml', content: shipped.replace(SLACK_SHAPED_WATCHDOG, WEBHOOK_WATCHDOG) };
}

/** Log dashboards read Loki, which the self-hosted paths run; on AWS the logs are in CloudWatch Logs. */
const LOKI_DASHBOARDS = new Set(['logs.json']);

/**
 * The kit's rules, Alertmanager routes and templates, blackbox modules and metrics dashboards, and the AWS
 * Prometheus configuration rendered for the stack: what the monitoring host copies from the stack's bucket.
 */
export function monitoringFiles(values: PrometheusTemplateValues): MonitoringFile[] {
  const file = (source: string, destination: string) => ({ destination, content: readFileSync(path.join(MONITORING_DIRECTORY, source), 'utf8') });
  return [
    { destination: '/etc/prometheus/prometheus.yml', content: renderTemplate(readFileSync(PROMETHEUS_AWS_TEMPLATE, 'utf8'), { ...values }) },
    ...folderFiles('prometheus/rules', '.yml', '/etc/prometheus/rules'),
    ubuntuAlertmanager(),
    ...folderFiles('alertmanager/templates', '.tmpl', '/etc/prometheus/templates'),
    file('blackbox/blackbox.yml', '/etc/prometheus/blackbox.yml'),
    file('grafana/provisioning/dashboards/todobox.yml', '/etc/grafana/provisioning/dashboards/todobox.yml'),
    grafanaDatasource(),
    ...folderFiles('grafana/dashboards', '.json', '/etc/grafana/dashboards').filter((dashboard) => !LOKI_DASHBOARDS.has(path.basename(dashboard.destination))),
  ];
}

/** Changes with any file's path or content: in the boot script, a new rule or dashboard replaces the host. */
export function monitoringFilesDigest(files: MonitoringFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.destination}\0${file.content}\0`);
  return hash.digest('hex');
}
