import { AWS_RETRY_FUNCTION } from './awsRetry';
import { APT_GET, writeFile } from './bootScript';
import { cloudWatchAgentInstall, SYSTEM_LOG_FILE } from './cloudWatchAgent';
import { ALERTMANAGER_SERVICE, ALERTMANAGER_UNIT, ALERTMANAGER_USER, alertmanagerInstall } from './monitoringAlertmanager';
import { PROMETHEUS_RETENTION_DAYS } from './monitoringStorage';
import {
  GRAFANA_ENV,
  MONITORING_RDS_CA_BUNDLE,
  MONITORING_SECRETS_DIRECTORY,
  MYSQLD_EXPORTER_CNF,
  MYSQLD_EXPORTER_USER,
  REDIS_EXPORTER_ENV,
  REDIS_EXPORTER_USER,
  SECRET_FILE_READERS,
} from './monitoringSecret';
import {
  RDS_BACKUP_METRIC_SCRIPT,
  RDS_BACKUP_METRIC_SERVICE,
  RDS_BACKUP_METRIC_TIMER,
  RDS_BACKUP_METRIC_UNIT,
  TEXTFILE_DIRECTORY,
  rdsBackupMetricScript,
} from './rdsBackupMetric';
import { RDS_CA_BUNDLE_URL } from './userData';

export interface MonitoringUserDataInputs {
  region: string;
  architecture: 'x86_64' | 'arm64';
  secretArn: string;
  configBucket: string;
  configPrefix: string;
  /** The data volume's id: the boot waits for it, formats it once and keeps Prometheus's TSDB on it. */
  dataVolumeId: string;
  /** Of every file the host installs from the bucket, so that a change to one replaces the host. */
  filesDigest: string;
  /** The RDS instance whose restorable time becomes the backup metric. */
  databaseIdentifier: string;
  /** The system log group (enableCloudWatchAgent); without it no agent is installed. */
  systemLogGroup?: string;
}

/** Where the packages keep their data: Prometheus's TSDB and Alertmanager's silences, on the data volume. */
export const MONITORING_DATA_DIRECTORY = '/var/lib/prometheus';
export const SECRETS_WRITER = '/usr/local/sbin/todobox-monitoring-secrets';
const SECRETS_LOCK = '/run/lock/todobox-monitoring-secrets';

/** Every service listens on loopback only: nothing reaches them but Prometheus here and an operator through Session Manager. */
export const MONITORING_SERVICES: Record<string, { listen: string; args?: string }> = {
  prometheus: { listen: '127.0.0.1:9090', args: `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION_DAYS}d` },
  [ALERTMANAGER_SERVICE]: { listen: '127.0.0.1:9093', args: '--cluster.listen-address=' },
  'prometheus-node-exporter': { listen: '127.0.0.1:9100', args: `--collector.textfile.directory=${TEXTFILE_DIRECTORY}` },
  'prometheus-blackbox-exporter': { listen: '127.0.0.1:9115', args: '--config.file=/etc/prometheus/blackbox.yml' },
  'prometheus-mysqld-exporter': { listen: '127.0.0.1:9104', args: `--config.my-cnf=${MONITORING_SECRETS_DIRECTORY}/${MYSQLD_EXPORTER_CNF}` },
  'prometheus-redis-exporter': { listen: '127.0.0.1:9121' },
};
export const GRAFANA_LISTEN = '127.0.0.1:3000';

/**
 * The services that read a secret, each fetching the secrets afresh before it starts: `systemctl restart` after
 * `pulumi up` applies a changed one. `user` moves an exporter off the shared prometheus user; `environmentFile`
 * is a secret file systemd reads as root and hands to the service as its environment.
 */
export const SECRET_READING_SERVICES: Record<string, { user?: string; environmentFile?: string }> = {
  [ALERTMANAGER_SERVICE]: {},
  'prometheus-mysqld-exporter': { user: MYSQLD_EXPORTER_USER },
  'prometheus-redis-exporter': { user: REDIS_EXPORTER_USER, environmentFile: REDIS_EXPORTER_ENV },
  'grafana-server': { environmentFile: GRAFANA_ENV },
};

/**
 * Writes each key of the monitoring secret's JSON object to a file of that name, mode 0400, owned by the one user
 * that reads it (SECRET_FILE_READERS), else by root. Services starting together take turns (flock). Without an answer
 * from Secrets Manager it keeps the files of an earlier run, and fails only when there are none.
 */
function secretsWriterScript(inputs: MonitoringUserDataInputs): string {
  const readers = new Map<string, string[]>();
  for (const [file, user] of Object.entries(SECRET_FILE_READERS)) readers.set(user, [...(readers.get(user) ?? []), file]);
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'umask 077',
    ...AWS_RETRY_FUNCTION,
    'reader_of() {',
    '  case "$1" in',
    ...[...readers].map(([user, files]) => `    ${files.join('|')}) echo ${user} ;;`),
    '    *) echo root ;;',
    '  esac',
    '}',
    `exec 9>${SECRETS_LOCK}`,
    'flock 9',
    `install -d -m 0711 ${MONITORING_SECRETS_DIRECTORY}`,
    `if ! secrets=$(aws_retry /snap/bin/aws secretsmanager get-secret-value --region ${inputs.region} --secret-id '${inputs.secretArn}' --query SecretString --output text); then`,
    // A restart while Secrets Manager is unreachable (a crash, an outage) still brings alerting back, on the last fetch.
    `  [ -n "$(ls -A ${MONITORING_SECRETS_DIRECTORY})" ] || exit 1`,
    '  echo "todobox: Secrets Manager did not answer, keeping the secret files of the last fetch" >&2',
    '  exit 0',
    'fi',
    "printf '%s' \"$secrets\" | jq -r 'keys[]' | while read -r name; do",
    `  file="${MONITORING_SECRETS_DIRECTORY}/$name"`,
    `  printf '%s' "$secrets" | jq -j --arg name "$name" '.[$name]' > "$file.new"`,
    '  reader=$(reader_of "$name")',
    '  chown "$reader:$reader" "$file.new"',
    '  chmod 0400 "$file.new"',
    '  mv -f "$file.new" "$file"',
    'done',
  ].join('\n');
}

/** `+`: the writer runs as root whatever user the service runs as; `-`: the file does not exist before the writer's first run. */
function secretsDropIn(service: { user?: string; environmentFile?: string }): string {
  return [
    '[Service]',
    `ExecStartPre=+${SECRETS_WRITER}`,
    // Room for the writer's retries of Secrets Manager.
    'TimeoutStartSec=5min',
    // The prometheus group still opens /etc/prometheus (0750) on the way to the files it reads.
    ...(service.user === undefined ? [] : [`User=${service.user}`, `Group=${service.user}`, 'SupplementaryGroups=prometheus']),
    ...(service.environmentFile === undefined ? [] : [`EnvironmentFile=-${MONITORING_SECRETS_DIRECTORY}/${service.environmentFile}`]),
    '',
  ].join('\n');
}

const GRAFANA_DROP_IN = [
  '[Service]',
  `Environment=GF_SERVER_HTTP_ADDR=${GRAFANA_LISTEN.split(':')[0]} GF_SERVER_HTTP_PORT=${GRAFANA_LISTEN.split(':')[1]}`,
  'Environment=GF_USERS_ALLOW_SIGN_UP=false GF_ANALYTICS_REPORTING_ENABLED=false GF_ANALYTICS_CHECK_FOR_UPDATES=false',
  '',
].join('\n');

/** The data volume appears under its id once attached, which happens after the host has started booting. */
function dataVolumeLines(volumeId: string): string[] {
  return [
    `data_device=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace('-', '')}`,
    'for attempt in $(seq 1 120); do [ -e "$data_device" ] && break; sleep 5; done',
    `[ -e "$data_device" ] || { echo "todobox: data volume ${volumeId} was never attached" >&2; exit 1; }`,
    'blkid "$data_device" >/dev/null || mkfs.ext4 -L todobox-metrics "$data_device"',
    `install -d ${MONITORING_DATA_DIRECTORY}`,
    `echo "UUID=$(blkid -s UUID -o value "$data_device") ${MONITORING_DATA_DIRECTORY} ext4 defaults,nofail 0 2" >> /etc/fstab`,
    `mount ${MONITORING_DATA_DIRECTORY}`,
  ];
}

/**
 * Boot script of the monitoring host (Ubuntu 24.04): the data volume, Prometheus, Alertmanager and the exporters
 * from Ubuntu, Grafana from Grafana's signed repository, the kit's files from the stack's bucket, secrets from
 * Secrets Manager (never in this script), every service on loopback.
 */
export function renderMonitoringUserData(inputs: MonitoringUserDataInputs): string {
  const services = Object.entries(MONITORING_SERVICES);
  const aptPackages = services.map(([name]) => name).filter((name) => name !== ALERTMANAGER_SERVICE);
  const serviceUsers = [ALERTMANAGER_USER, MYSQLD_EXPORTER_USER, REDIS_EXPORTER_USER];
  const lines = [
    '#!/bin/bash',
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    `# Monitoring files ${inputs.filesDigest}`,
    ...AWS_RETRY_FUNCTION,
    '',
    ...dataVolumeLines(inputs.dataVolumeId),
    '',
    `${APT_GET} update`,
    `${APT_GET} install -y --no-install-recommends ca-certificates curl gpg jq ${aptPackages.join(' ')}`,
    '# Grafana is not in Ubuntu: its own repository, its packages checked against its signing key',
    'install -d -m 0755 /etc/apt/keyrings',
    'curl -fsSL https://apt.grafana.com/gpg.key | gpg --dearmor -o /etc/apt/keyrings/grafana.gpg',
    "echo 'deb [signed-by=/etc/apt/keyrings/grafana.gpg] https://apt.grafana.com stable main' > /etc/apt/sources.list.d/grafana.list",
    `${APT_GET} update`,
    `${APT_GET} install -y grafana`,
    'snap install aws-cli --classic',
    ...alertmanagerInstall(inputs.architecture),
    ...serviceUsers.map((user) => `id ${user} >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${user}`),
    '',
    '# The kit\'s rules, routes, modules and dashboards, and the Prometheus configuration of this stack',
    `aws_retry /snap/bin/aws s3 cp --recursive --region ${inputs.region} 's3://${inputs.configBucket}/${inputs.configPrefix}' /var/tmp/todobox-monitoring/`,
    'cp -r /var/tmp/todobox-monitoring/etc/. /etc/',
    'chown -R root:prometheus /etc/prometheus && chmod -R g+rX,o-rwx /etc/prometheus',
    'chown -R root:grafana /etc/grafana/provisioning /etc/grafana/dashboards && chmod -R g+rX /etc/grafana/provisioning /etc/grafana/dashboards',
    `curl -fsSLo ${MONITORING_RDS_CA_BUNDLE} ${RDS_CA_BUNDLE_URL}`,
    `chmod 0644 ${MONITORING_RDS_CA_BUNDLE}`,
    `chown -R prometheus:prometheus ${MONITORING_DATA_DIRECTORY}`,
    `install -d -o ${ALERTMANAGER_USER} -g ${ALERTMANAGER_USER} -m 0750 ${MONITORING_DATA_DIRECTORY}/alertmanager`,
    `chown -R ${ALERTMANAGER_USER}:${ALERTMANAGER_USER} ${MONITORING_DATA_DIRECTORY}/alertmanager`,
    '',
    '# Secrets from Secrets Manager before every start of a service that reads them',
    ...writeFile(SECRETS_WRITER, '0750', secretsWriterScript(inputs)),
    ...writeFile(`/etc/systemd/system/${ALERTMANAGER_SERVICE}.service`, '0644', ALERTMANAGER_UNIT),
    ...Object.entries(SECRET_READING_SERVICES).flatMap(([name, service]) =>
      writeFile(`/etc/systemd/system/${name}.service.d/todobox-secrets.conf`, '0644', secretsDropIn(service)),
    ),
    ...writeFile('/etc/systemd/system/grafana-server.service.d/todobox.conf', '0644', GRAFANA_DROP_IN),
    '',
    '# The backup metric BackupTooOld reads: RDS\'s restorable time, every 5 minutes',
    ...writeFile(RDS_BACKUP_METRIC_SCRIPT, '0750', rdsBackupMetricScript(inputs.region, inputs.databaseIdentifier)),
    ...writeFile(`/etc/systemd/system/${RDS_BACKUP_METRIC_UNIT}.service`, '0644', RDS_BACKUP_METRIC_SERVICE),
    ...writeFile(`/etc/systemd/system/${RDS_BACKUP_METRIC_UNIT}.timer`, '0644', RDS_BACKUP_METRIC_TIMER),
    `install -d -m 0755 -o prometheus -g prometheus ${TEXTFILE_DIRECTORY}`,
    '',
    ...services.flatMap(([name, service]) =>
      writeFile(`/etc/default/${name}`, '0644', `ARGS="--web.listen-address=${service.listen}${service.args === undefined ? '' : ` ${service.args}`}"`),
    ),
  ];
  if (inputs.systemLogGroup !== undefined) {
    lines.push('', '# CloudWatch agent: ships the system log', ...cloudWatchAgentInstall(inputs.architecture, [{ filePath: SYSTEM_LOG_FILE, logGroupName: inputs.systemLogGroup }]));
  }
  lines.push(
    '',
    'systemctl daemon-reload',
    `systemctl enable --now ${RDS_BACKUP_METRIC_UNIT}.timer`,
    `systemctl enable ${services.map(([name]) => name).join(' ')} grafana-server`,
    `systemctl restart ${services.map(([name]) => name).join(' ')} grafana-server`,
  );
  return `${lines.join('\n')}\n`;
}
