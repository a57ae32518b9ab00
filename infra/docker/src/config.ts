import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_PORT } from '../../../app/src/environment';

/**
 * The stack's settings (`pulumi config set <key> <value>`, namespace `todobox-docker`). The Docker
 * engine itself is the provider's `docker:host` (a local socket or ssh://user@host).
 */
export interface DockerStackConfig {
  /** Host address the app's port is published on. Default 127.0.0.1: put a TLS proxy (infra/server/nginx) in front. */
  appBindAddress: string;
  /** Host port of the app. Default: the app's own port (9191). */
  appHostPort: number;
  /**
   * The host folder where the TLS proxy in front of the app (the program runs none) writes its access
   * log, `edge.access.log` in nginx's `todobox` format: mounted read-only into Alloy, which counts it
   * for the edge SLI (docs/slo.md). Unset: the edge objective has no data on this path.
   */
  edgeAccessLogDir?: string;
  /** Grafana's host port, always on the host's loopback (reach it with ssh -L). Default 3000. */
  grafanaHostPort: number;
  /** WEB_CONCURRENCY: worker processes in the app container. Default 2. */
  webConcurrency: number;
  /** REGISTRATION: `open` or `closed` (default). */
  registration: 'open' | 'closed';
  /** LOG_LEVEL of the app. Default info. */
  logLevel: string;
  /** Platform the app image is built for. Default linux/amd64. */
  imagePlatform: string;
  /** Tag of the locally built app image. Default todobox:latest. */
  appImageName: string;
  /** Name of the database and of its account. Defaults todobox / todobox. */
  dbName: string;
  dbUser: string;
  /** The Alertmanager receivers' secrets (monitoring/alertmanager/alertmanager.yml). Required, secret. */
  alertmanagerPagerdutyRoutingKey: pulumi.Output<string>;
  alertmanagerSlackWebhookUrl: pulumi.Output<string>;
  alertmanagerSlackTicketsWebhookUrl: pulumi.Output<string>;
  alertmanagerWatchdogUrl: pulumi.Output<string>;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

export function loadStackConfig(): DockerStackConfig {
  const config = new pulumi.Config();
  const registration = config.get('registration') ?? 'closed';
  if (registration !== 'open' && registration !== 'closed') {
    throw new Error(`todobox-docker:registration must be "open" or "closed", not "${registration}"`);
  }
  return {
    appBindAddress: config.get('appBindAddress') ?? '127.0.0.1',
    appHostPort: config.getNumber('appHostPort', { min: 1, max: 65535 }) ?? DEFAULT_PORT,
    edgeAccessLogDir: config.get('edgeAccessLogDir'),
    grafanaHostPort: config.getNumber('grafanaHostPort', { min: 1, max: 65535 }) ?? 3000,
    webConcurrency: config.getNumber('webConcurrency', { min: 1, max: 64 }) ?? 2,
    registration,
    logLevel: config.get('logLevel', { allowedValues: LOG_LEVELS }) ?? 'info',
    imagePlatform: config.get('imagePlatform') ?? 'linux/amd64',
    appImageName: config.get('appImageName') ?? 'todobox:latest',
    dbName: config.get('dbName') ?? 'todobox',
    dbUser: config.get('dbUser') ?? 'todobox',
    alertmanagerPagerdutyRoutingKey: config.requireSecret('alertmanagerPagerdutyRoutingKey'),
    alertmanagerSlackWebhookUrl: config.requireSecret('alertmanagerSlackWebhookUrl'),
    alertmanagerSlackTicketsWebhookUrl: config.requireSecret('alertmanagerSlackTicketsWebhookUrl'),
    alertmanagerWatchdogUrl: config.requireSecret('alertmanagerWatchdogUrl'),
  };
}
