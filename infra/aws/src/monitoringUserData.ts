import { AWS_RETRY_FUNCTION } from './awsRetry';
import { writeFile } from './bootScript';
import { cloudWatchAgentInstall, SYSTEM_LOG_FILE } from './cloudWatchAgent';
import { PROMETHEUS_RETENTION_DAYS } from './monitoringStorage';
import { GRAFANA_ENV, MONITORING_RDS_CA_BUNDLE, MONITORING_SECRETS_DIRECTORY, MYSQLD_EXPORTER_CNF, REDIS_EXPORTER_ENV } from './monitoringSecret';
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
export const SECRETS_UNIT = 'todobox-monitoring-secrets.service';

/** Every service listens on loopback only: nothing reaches them but Prometheus here and an operator through Session Manager. */
export const MONITORING_SERVICES: Record<string, { listen: string; args?: string; secretsFile?: string }> = {
  prometheus: { listen: '127.0.0.1:9090', args: `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION_DAYS}d` },
  'prometheus-alertmanager': { listen: '127.0.0.1:9093', args: '--cluster.listen-address=' },
  'prometheus-node-exporter': { listen: '127.0.0.1:9100', args: `--collector.textfile.directory=${TEXTFILE_DIRECTORY}` },
  'prometheus-blackbox-exporter': { listen: '127.0.0.1:9115', args: '--config.file=/etc/prometheus/blackbox.yml' },
  'prometheus-mysqld-exporter': { listen: '127.0.0.1:9104', args: `--config.my-cnf=${MONITORING_SECRETS_DIRECTORY}/${MYSQLD_EXPORTER_CNF}` },
  'prometheus-redis-exporter': { listen: '127.0.0.1:9121', secretsFile: REDIS_EXPORTER_ENV },
};
export const GRAFANA_LISTEN = '127.0.0.1:3000';

/** Writes each key of the monitoring secret's JSON object to a file of that name, readable by the prometheus group. */
function secretsWriterScript(inputs: MonitoringUserDataInputs): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'umask 027',
    ...AWS_RETRY_FUNCTION,
    `install -d -m 0750 -o root -g prometheus ${MONITORING_SECRETS_DIRECTORY}`,
    `secrets=$(aws_retry /snap/bin/aws secretsmanager get-secret-value --region ${inputs.region} --secret-id '${inputs.secretArn}' --query SecretString --output text)`,
    "printf '%s' \"$secrets\" | jq -r 'keys[]' | while read -r name; do",
    `  printf '%s' "$secrets" | jq -j --arg name "$name" '.[$name]' > "${MONITORING_SECRETS_DIRECTORY}/$name.new"`,
    `  chown root:prometheus "${MONITORING_SECRETS_DIRECTORY}/$name.new"`,
    `  mv "${MONITORING_SECRETS_DIRECTORY}/$name.new" "${MONITORING_SECRETS_DIRECTORY}/$name"`,
    'done',
  ].join('\n');
}

const SECRETS_UNIT_FILE = `[Unit]
Description=Write the TodoBox monitoring secrets from Secrets Manager
After=network-online.target snap.amazon-ssm-agent.amazon-ssm-agent.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${SECRETS_WRITER}
Restart=on-failure
RestartSec=10s
`;

function secretsDropIn(environmentFile?: string): string {
  return [
    '[Unit]',
    `Requires=${SECRETS_UNIT}`,
    `After=${SECRETS_UNIT}`,
    ...(environmentFile === undefined ? [] : ['', '[Service]', `EnvironmentFile=${MONITORING_SECRETS_DIRECTORY}/${environmentFile}`]),
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
  const lines = [
    '#!/bin/bash',
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    `# Monitoring files ${inputs.filesDigest}`,
    ...AWS_RETRY_FUNCTION,
    '',
    ...dataVolumeLines(inputs.dataVolumeId),
    '',
    'apt-get update',
    `apt-get install -y --no-install-recommends ca-certificates curl gpg jq ${services.map(([name]) => name).join(' ')}`,
    '# Grafana is not in Ubuntu: its own repository, its packages checked against its signing key',
    'install -d -m 0755 /etc/apt/keyrings',
    'curl -fsSL https://apt.grafana.com/gpg.key | gpg --dearmor -o /etc/apt/keyrings/grafana.gpg',
    "echo 'deb [signed-by=/etc/apt/keyrings/grafana.gpg] https://apt.grafana.com stable main' > /etc/apt/sources.list.d/grafana.list",
    'apt-get update',
    'apt-get install -y grafana',
    'snap install aws-cli --classic',
    '',
    '# The kit\'s rules, routes, modules and dashboards, and the Prometheus configuration of this stack',
    `aws_retry /snap/bin/aws s3 cp --recursive --region ${inputs.region} 's3://${inputs.configBucket}/${inputs.configPrefix}' /var/tmp/todobox-monitoring/`,
    'cp -r /var/tmp/todobox-monitoring/etc/. /etc/',
    'chown -R root:prometheus /etc/prometheus && chmod -R g+rX,o-rwx /etc/prometheus',
    'chown -R root:grafana /etc/grafana/provisioning /etc/grafana/dashboards && chmod -R g+rX /etc/grafana/provisioning /etc/grafana/dashboards',
    `curl -fsSLo ${MONITORING_RDS_CA_BUNDLE} ${RDS_CA_BUNDLE_URL}`,
    `chmod 0644 ${MONITORING_RDS_CA_BUNDLE}`,
    `chown -R prometheus:prometheus ${MONITORING_DATA_DIRECTORY}`,
    '',
    '# Secrets from Secrets Manager before every start of a service that reads them',
    ...writeFile(SECRETS_WRITER, '0750', secretsWriterScript(inputs)),
    ...writeFile(`/etc/systemd/system/${SECRETS_UNIT}`, '0644', SECRETS_UNIT_FILE),
    ...['prometheus-alertmanager', 'prometheus-mysqld-exporter', 'prometheus-redis-exporter'].flatMap((name) =>
      writeFile(`/etc/systemd/system/${name}.service.d/todobox-secrets.conf`, '0644', secretsDropIn(MONITORING_SERVICES[name].secretsFile)),
    ),
    ...writeFile('/etc/systemd/system/grafana-server.service.d/todobox-secrets.conf', '0644', secretsDropIn(GRAFANA_ENV)),
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
    `systemctl enable --now ${SECRETS_UNIT} ${RDS_BACKUP_METRIC_UNIT}.timer`,
    `systemctl enable ${services.map(([name]) => name).join(' ')} grafana-server`,
    `systemctl restart ${services.map(([name]) => name).join(' ')} grafana-server`,
  );
  return `${lines.join('\n')}\n`;
}
