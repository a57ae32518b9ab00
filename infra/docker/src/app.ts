import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { DockerStackConfig } from './config';
import { serviceContainer } from './containers';
import { DOCKERFILE, REPO_ROOT } from './paths';
import { StackSecrets } from './secrets';
import { DEFAULT_PORT, type EnvironmentKey } from '../../../app/src/environment';

/** The app's settings (the keys of app/src/environment.ts); secret, since some values are. */
export function appEnvironment(config: DockerStackConfig, secrets: StackSecrets): pulumi.Output<string[]> {
  return pulumi.secret(
    pulumi.all([secrets.secretKey, secrets.salt, secrets.dbPassword, secrets.metricsToken]).apply(
      ([secretKey, salt, dbPassword, metricsToken]) =>
        Object.entries<string>({
          NODE_ENV: 'production',
          SECRET_KEY: secretKey,
          SALT: salt,
          DATABASE_DEFAULT: 'mysql',
          DB_URL: 'db',
          DB_USER: config.dbUser,
          DB_PW: dbPassword,
          DB_NAME: config.dbName,
          REDIS_URL: 'redis://redis:6379/0',
          PORT: String(DEFAULT_PORT),
          BIND_ADDRESS: '0.0.0.0',
          // The proxy in front of the published port terminates TLS and sets the forwarded headers.
          TRUST_PROXY: '1',
          WEB_CONCURRENCY: String(config.webConcurrency),
          SHUTDOWN_TIMEOUT_SECONDS: '25',
          METRICS_TOKEN: metricsToken,
          REGISTRATION: config.registration,
          LOG_LEVEL: config.logLevel,
        } satisfies Partial<Record<EnvironmentKey, string>>).map(([name, value]) => `${name}=${value}`),
    ),
  );
}

export interface App {
  image: docker.Image;
  container: docker.Container;
  /** Where the app writes LOG_DIR/todobox.log (/app/logs), which the log pipeline reads. */
  logs: docker.Volume;
}

/** The app image built from the repository's Dockerfile, run after the database and Redis are healthy. */
export function createApp(
  network: docker.Network,
  config: DockerStackConfig,
  secrets: StackSecrets,
  dependsOn: docker.Container[],
): App {
  const image = new docker.Image('app', {
    imageName: config.appImageName,
    build: { context: REPO_ROOT, dockerfile: DOCKERFILE, platform: config.imagePlatform },
    // Built on the Docker host and run there: no registry.
    skipPush: true,
  });
  const instance = new docker.Volume('app-instance', { name: 'todobox-app-instance' });
  const logs = new docker.Volume('app-logs', { name: 'todobox-app-logs' });
  const container = serviceContainer(
    'app',
    network,
    {
      // The digest changes with every build, so a new image replaces the container.
      image: image.repoDigest,
      envs: appEnvironment(config, secrets),
      ports: [{ internal: DEFAULT_PORT, external: config.appHostPort, ip: config.appBindAddress }],
      volumes: [
        { volumeName: instance.name, containerPath: '/app/instance' },
        { volumeName: logs.name, containerPath: '/app/logs' },
      ],
      healthcheck: {
        tests: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${DEFAULT_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: '15s',
        timeout: '5s',
        retries: 3,
        startPeriod: '30s',
      },
      // Longer than SHUTDOWN_TIMEOUT_SECONDS: in-flight requests finish before Docker kills the app.
      stopSignal: 'SIGTERM',
      stopTimeout: 30,
      wait: true,
      waitTimeout: 180,
    },
    { dependsOn },
  );
  return { image, container, logs };
}
