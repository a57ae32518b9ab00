import * as pulumi from '@pulumi/pulumi';
import { createApp } from './src/app';
import { createBackup } from './src/backup';
import { loadStackConfig } from './src/config';
import { createDatabase } from './src/database';
import { createLogPipeline } from './src/logs';
import { createMonitoring } from './src/monitoring';
import { createNetwork } from './src/network';
import { createRedis } from './src/redis';
import { createSecrets } from './src/secrets';

const config = loadStackConfig();
const secrets = createSecrets();
const network = createNetwork();
const database = createDatabase(network, config, secrets);
const redis = createRedis(network);
const app = createApp(network, config, secrets, [database.container, redis.container]);
const monitoring = createMonitoring(network, config, secrets, { db: database.container, redis: redis.container });
const backup = createBackup(network, config, secrets, app, monitoring.textfile);
const logs = createLogPipeline(network, app.logs, config);

export const appUrl = pulumi.interpolate`http://${config.appBindAddress}:${config.appHostPort}`;
export const grafanaUrl = pulumi.interpolate`http://127.0.0.1:${config.grafanaHostPort}`;
export const appImage = app.image.repoDigest;
export const networkName = network.name;
export const databaseVolume = database.volume.name;
export const backupVolume = backup.volume.name;
export const containers = pulumi.all([
  database.container.name,
  redis.container.name,
  app.container.name,
  backup.container.name,
  monitoring.prometheus.name,
  monitoring.alertmanager.name,
  monitoring.grafana.name,
  ...monitoring.exporters.map((container) => container.name),
  logs.loki.name,
  logs.alloy.name,
]);
export const grafanaAdminPassword = secrets.grafanaAdminPassword;
export const metricsToken = secrets.metricsToken;
