import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ALERTING_SECRET_KEYS, DB_EXPORTER_USERNAME, MYSQL_PORT, REDIS_PORT, type StackConfig } from './config';
import { ALERTMANAGER_USER } from './monitoringAlertmanager';
import type { Naming } from './naming';

/** Where the monitoring host keeps each secret file; alertmanager.yml names the same folder. */
export const MONITORING_SECRETS_DIRECTORY = '/etc/prometheus/secrets';
export const MYSQLD_EXPORTER_CNF = 'mysqld-exporter.cnf';
export const REDIS_EXPORTER_ENV = 'redis-exporter.env';
export const GRAFANA_ENV = 'grafana.env';
/** The RDS CA bundle on the monitoring host: mysqld_exporter checks the database's certificate against it. */
export const MONITORING_RDS_CA_BUNDLE = '/etc/prometheus/rds-global-bundle.pem';
/** The exporters reading a secret run as users of their own, apart from the prometheus user of the others. */
export const MYSQLD_EXPORTER_USER = 'mysqld-exporter';
export const REDIS_EXPORTER_USER = 'redis-exporter';

/**
 * The one user who may read each secret file (mode 0400): the service that opens it. A file systemd reads for a
 * service (EnvironmentFile=) stays root's, as does any file not named here.
 */
export const SECRET_FILE_READERS: Record<string, string> = {
  ...Object.fromEntries(Object.values(ALERTING_SECRET_KEYS).map((file) => [file, ALERTMANAGER_USER])),
  [MYSQLD_EXPORTER_CNF]: MYSQLD_EXPORTER_USER,
};

export interface MonitoringSecretInputs {
  databaseAddress: pulumi.Input<string>;
  dbExporterPassword: pulumi.Input<string>;
  redisAddress: pulumi.Input<string>;
  redisAuthToken: pulumi.Input<string>;
  grafanaAdminPassword: pulumi.Input<string>;
}

/**
 * The monitoring host's one secret: a JSON object whose keys are file names under MONITORING_SECRETS_DIRECTORY and
 * whose values are those files' contents, written by the host before its services start. The host may read this
 * secret only, never the app's environment.
 */
export function createMonitoringSecret(
  config: StackConfig,
  inputs: MonitoringSecretInputs,
  naming: Naming,
): { secret: aws.secretsmanager.Secret; version: aws.secretsmanager.SecretVersion } {
  const secret = new aws.secretsmanager.Secret(naming.name('monitoring-secrets'), {
    namePrefix: `todobox/${config.stack}/monitoring-`,
    description: `TodoBox monitoring host: exporter credentials and alert receivers (${MONITORING_SECRETS_DIRECTORY})`,
    recoveryWindowInDays: config.isProduction ? 30 : 7,
    tags: naming.tags('monitoring-secrets'),
  });
  const alerting = Object.entries(ALERTING_SECRET_KEYS).map(([key, file]) => [file, config.alertingSecrets[key as keyof typeof ALERTING_SECRET_KEYS] ?? ''] as const);
  if (alerting.every(([, value]) => value === '')) {
    pulumi.log.warn(
      'No alert receiver is configured: Alertmanager reaches nobody until alertPagerDutyRoutingKey, alertSlackWebhookUrl, ' +
        'alertSlackTicketsWebhookUrl and alertWatchdogUrl are set (pulumi config set --secret); the CloudWatch alarms still go to the SNS topic.',
    );
  }
  const files = {
    ...Object.fromEntries(alerting),
    [MYSQLD_EXPORTER_CNF]: pulumi.interpolate`[client]
user=${DB_EXPORTER_USERNAME}
password=${inputs.dbExporterPassword}
host=${inputs.databaseAddress}
port=${MYSQL_PORT}
ssl-ca=${MONITORING_RDS_CA_BUNDLE}
`,
    [REDIS_EXPORTER_ENV]: pulumi.interpolate`REDIS_ADDR=rediss://${inputs.redisAddress}:${REDIS_PORT}\nREDIS_PASSWORD=${inputs.redisAuthToken}\n`,
    [GRAFANA_ENV]: pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${inputs.grafanaAdminPassword}\n`,
  };
  const version = new aws.secretsmanager.SecretVersion(naming.name('monitoring-secrets-version'), {
    secretId: secret.id,
    secretString: pulumi.secret(pulumi.jsonStringify(pulumi.output(files))),
  });
  return { secret, version };
}
