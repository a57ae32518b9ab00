import path from 'node:path';
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { DockerStackConfig } from './config';
import { pulledImage, serviceContainer } from './containers';
import { IMAGES } from './images';
import { MONITORING_DIR } from './paths';
import { StackSecrets } from './secrets';
import { secretFile, uploadFolder } from './uploads';

/** The Prometheus configuration for one Docker host; its targets are the service names used here. */
export const PROMETHEUS_CONFIG = 'prometheus.compose.yml';

export interface Monitoring {
  /** The textfile collector's folder: *.prom files written there (the backup's metric) are exported. */
  textfile: docker.Volume;
  prometheus: docker.Container;
  alertmanager: docker.Container;
  grafana: docker.Container;
  exporters: docker.Container[];
  volumes: docker.Volume[];
}

/** Prometheus, Alertmanager and Grafana with the repository's monitoring/ files, and the exporters Prometheus scrapes. */
export function createMonitoring(
  network: docker.Network,
  config: DockerStackConfig,
  secrets: StackSecrets,
  dependsOn: { db: docker.Container; redis: docker.Container },
): Monitoring {
  const prometheusData = new docker.Volume('prometheus-data', { name: 'todobox-prometheus-data' });
  const alertmanagerData = new docker.Volume('alertmanager-data', { name: 'todobox-alertmanager-data' });
  const grafanaData = new docker.Volume('grafana-data', { name: 'todobox-grafana-data' });
  const textfile = new docker.Volume('node-textfile', { name: 'todobox-node-textfile' });

  const prometheus = serviceContainer('prometheus', network, {
    image: pulledImage('prometheus', IMAGES.prometheus),
    command: [
      `--config.file=/etc/prometheus/${PROMETHEUS_CONFIG}`,
      '--storage.tsdb.path=/prometheus',
      '--storage.tsdb.retention.time=40d',
      // k6's results arrive by remote write (-o experimental-prometheus-rw; loadtest/README.md).
      '--web.enable-remote-write-receiver',
    ],
    uploads: [
      // The config and its rules; not the promtool tests beside them.
      ...uploadFolder(path.join(MONITORING_DIR, 'prometheus'), '/etc/prometheus', (file) => file === PROMETHEUS_CONFIG || file.startsWith('rules/') || file.startsWith('targets/')),
      secretFile('/run/secrets/metrics_token', secrets.metricsToken),
    ],
    volumes: [{ volumeName: prometheusData.name, containerPath: '/prometheus' }],
    healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready'], interval: '15s', timeout: '5s', retries: 5 },
  });

  const alertmanager = serviceContainer('alertmanager', network, {
    image: pulledImage('alertmanager', IMAGES.alertmanager),
    command: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
    uploads: [
      ...uploadFolder(path.join(MONITORING_DIR, 'alertmanager'), '/etc/alertmanager'),
      // alertmanager.yml reads each receiver's secret from these files.
      secretFile('/etc/prometheus/secrets/pagerduty-routing-key', config.alertmanagerPagerdutyRoutingKey),
      secretFile('/etc/prometheus/secrets/slack-webhook-url', config.alertmanagerSlackWebhookUrl),
      secretFile('/etc/prometheus/secrets/slack-tickets-webhook-url', config.alertmanagerSlackTicketsWebhookUrl),
      secretFile('/etc/prometheus/secrets/watchdog-url', config.alertmanagerWatchdogUrl),
    ],
    volumes: [{ volumeName: alertmanagerData.name, containerPath: '/alertmanager' }],
    healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9093/-/ready'], interval: '15s', timeout: '5s', retries: 5 },
  });

  const grafana = serviceContainer('grafana', network, {
    image: pulledImage('grafana', IMAGES.grafana),
    envs: [
      'GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password',
      'GF_USERS_ALLOW_SIGN_UP=false',
      'GF_ANALYTICS_REPORTING_ENABLED=false',
    ],
    uploads: [
      ...uploadFolder(path.join(MONITORING_DIR, 'grafana/provisioning'), '/etc/grafana/provisioning'),
      ...uploadFolder(path.join(MONITORING_DIR, 'grafana/dashboards'), '/etc/grafana/dashboards'),
      secretFile('/run/secrets/grafana_admin_password', secrets.grafanaAdminPassword),
    ],
    // Loopback only: reach it through an SSH tunnel.
    ports: [{ internal: 3000, external: config.grafanaHostPort, ip: '127.0.0.1' }],
    volumes: [{ volumeName: grafanaData.name, containerPath: '/var/lib/grafana' }],
    healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/api/health'], interval: '15s', timeout: '5s', retries: 5 },
  }, { dependsOn: [prometheus] });

  const nodeExporter = serviceContainer('node_exporter', network, {
    image: pulledImage('node-exporter', IMAGES.nodeExporter),
    // The host's metrics, not the container's: its process table and root filesystem, read-only.
    pidMode: 'host',
    command: ['--path.rootfs=/host', '--collector.textfile.directory=/var/lib/node_exporter/textfile_collector'],
    mounts: [{ type: 'bind', source: '/', target: '/host', readOnly: true, bindOptions: { propagation: 'rslave' } }],
    volumes: [{ volumeName: textfile.name, containerPath: '/var/lib/node_exporter/textfile_collector', readOnly: true }],
  });
  const mysqldExporter = serviceContainer('mysqld_exporter', network, {
    image: pulledImage('mysqld-exporter', IMAGES.mysqldExporter),
    command: ['--mysqld.address=db:3306', '--mysqld.username=exporter'],
    envs: pulumi.secret(secrets.mysqldExporterPassword.apply((password) => [`MYSQLD_EXPORTER_PASSWORD=${password}`])),
  }, { dependsOn: [dependsOn.db] });
  const redisExporter = serviceContainer('redis_exporter', network, {
    image: pulledImage('redis-exporter', IMAGES.redisExporter),
    envs: ['REDIS_ADDR=redis://redis:6379'],
  }, { dependsOn: [dependsOn.redis] });

  // Probes the public URL of monitoring/prometheus/targets/blackbox.yml for Prometheus's blackbox job.
  const blackboxExporter = serviceContainer('blackbox_exporter', network, {
    image: pulledImage('blackbox-exporter', IMAGES.blackboxExporter),
    command: ['--config.file=/etc/blackbox/blackbox.yml'],
    uploads: uploadFolder(path.join(MONITORING_DIR, 'blackbox'), '/etc/blackbox'),
  });

  return {
    textfile,
    prometheus,
    alertmanager,
    grafana,
    exporters: [nodeExporter, mysqldExporter, redisExporter, blackboxExporter],
    volumes: [prometheusData, alertmanagerData, grafanaData, textfile],
  };
}
