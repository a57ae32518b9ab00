import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { HARDENING, LOG_ROTATION } from '../src/hardening';
import { type MockResource, unwrapSecret, unwrapSecretsDeep } from '../../test/mockEngine';
import { BASE_DOCKER_CONFIG, DockerProgramRun, loadDockerProgram } from './dockerProgram';
import { ROOT, appConfigNames, appDefaultPort } from '../../test/deployFacts';

const CONTAINER = 'docker:index/container:Container';
let run: DockerProgramRun;

beforeAll(async () => {
  run = await loadDockerProgram({ ...BASE_DOCKER_CONFIG, webConcurrency: '3', appHostPort: '8080' });
}, 60_000);

function container(name: string): MockResource {
  const found = run.resources.find((resource) => resource.type === CONTAINER && resource.name === name);
  if (!found) throw new Error(`No container ${name}; have ${run.resources.filter((r) => r.type === CONTAINER).map((r) => r.name)}`);
  return found;
}

function envOf(name: string): { values: Record<string, string>; secret: boolean } {
  const { value, secret } = unwrapSecret(container(name).inputs.envs ?? []);
  return { values: Object.fromEntries((value as string[]).map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)])), secret };
}

function uploadsOf(name: string): { file: string; content: string }[] {
  // The engine may hand a list over as an object keyed "0", "1", ...
  return Object.values(unwrapSecretsDeep(container(name).inputs.uploads ?? []).value);
}

/** Whether the engine receives the container's uploads as a secret (any secret file makes all of them secret). */
function uploadsAreSecret(name: string): boolean {
  return unwrapSecretsDeep(container(name).inputs.uploads).secret;
}

function imageOf(name: string): string {
  const remote = run.resources.find((resource) => resource.type === 'docker:index/remoteImage:RemoteImage' && container(name).inputs.image === `sha256:${Buffer.from(resource.name).toString('hex').padEnd(64, '0').slice(0, 64)}`);
  return remote?.inputs.name ?? container(name).inputs.image;
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });

describe('the Docker host program', () => {
  it('puts every container on one private network, reachable by its compose service name', () => {
    const networks = run.resources.filter((resource) => resource.type === 'docker:index/network:Network');
    expect(networks).toHaveLength(1);
    const containers = run.resources.filter((resource) => resource.type === CONTAINER);
    expect(containers.map((c) => c.name).sort()).toEqual(
      ['alertmanager', 'alloy', 'app', 'backup', 'blackbox_exporter', 'db', 'grafana', 'loki', 'mysqld_exporter', 'node_exporter', 'prometheus', 'redis', 'redis_exporter'],
    );
    for (const each of containers) {
      expect(each.inputs.networksAdvanced).toEqual([{ name: networks[0].inputs.name, aliases: [each.name] }]);
      expect(each.inputs.restart).toBe('unless-stopped');
      expect(Object.keys(compose.services)).toContain(each.name);
    }
  });

  it('confines every container as hardening.ts says, the same table docker-compose.yml follows', () => {
    for (const container of run.resources.filter((resource) => resource.type === CONTAINER)) {
      const hardening = HARDENING[container.name];
      const { inputs } = container;
      expect([container.name, inputs.capabilities, inputs.securityOpts]).toEqual([container.name, { drops: ['ALL'], adds: hardening.capAdd }, ['no-new-privileges:true']]);
      expect([container.name, inputs.memory, inputs.cpus, inputs.readOnly]).toEqual([container.name, hardening.memoryMb, hardening.cpus, hardening.readOnly]);
      expect([container.name, Object.keys(inputs.tmpfs ?? {})]).toEqual([container.name, hardening.tmpfs]);
      expect([container.name, inputs.logDriver, inputs.logOpts]).toEqual([container.name, 'json-file', LOG_ROTATION]);
    }
  });

  it('runs the same pinned images as docker-compose.yml', () => {
    for (const name of ['db', 'redis', 'prometheus', 'alertmanager', 'grafana', 'node_exporter', 'mysqld_exporter', 'redis_exporter', 'loki', 'alloy']) {
      const image = imageOf(name);
      expect(image).toBe(compose.services[name].image);
      expect(image).not.toMatch(/:latest$|^[^:]+$/);
    }
  });

  it('keeps MySQL 8 on a named volume that survives the stack, with a health check', () => {
    const db = container('db');
    expect(imageOf('db')).toBe('mysql:8.0');
    const volume = run.resources.find((resource) => resource.name === 'db-data');
    expect(volume?.type).toBe('docker:index/volume:Volume');
    expect(db.inputs.volumes).toEqual([{ volumeName: volume?.inputs.name, containerPath: '/var/lib/mysql' }]);
    expect(db.inputs.healthcheck.tests).toEqual(['CMD', 'mysqladmin', 'ping', '--host=127.0.0.1', '--silent']);
    expect(db.inputs.command).toContain('--slow-query-log=ON');
    const init = uploadsOf('db').map((upload) => path.basename(upload.file));
    expect(init).toEqual(fs.readdirSync(path.join(ROOT, 'infra/compose/mysql-init')).sort());
  });

  it('builds the app image from the repository Dockerfile, without pushing it, and runs its digest', () => {
    const image = run.resources.find((resource) => resource.type === 'docker:index/image:Image');
    expect(image?.inputs.build.context).toBe(ROOT);
    expect(image?.inputs.build.dockerfile).toBe(path.join(ROOT, 'Dockerfile'));
    expect(fs.existsSync(image?.inputs.build.dockerfile)).toBe(true);
    expect(image?.inputs.skipPush).toBe(true);
    expect(container('app').inputs.image).toMatch(/^todobox@sha256:[0-9a-f]{64}$/);
  });

  it('gives the app exactly the settings it knows, secret, pointing at the services by name', () => {
    const { values, secret } = envOf('app');
    expect(secret).toBe(true);
    const known = appConfigNames();
    for (const name of Object.keys(values)) expect(known).toContain(name);
    expect(values).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_DEFAULT: 'mysql',
      DB_URL: 'db',
      REDIS_URL: 'redis://redis:6379/0',
      PORT: String(appDefaultPort()),
      BIND_ADDRESS: '0.0.0.0',
      WEB_CONCURRENCY: '3',
    });
    expect(values.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
    expect(values.SALT.length).toBeGreaterThanOrEqual(16);
    expect(values.METRICS_TOKEN.length).toBeGreaterThanOrEqual(24);
    expect(values.DB_PW).toBe(unwrapSecret(container('db').inputs.envs).value.find((line: string) => line.startsWith('MYSQL_PASSWORD=')).slice('MYSQL_PASSWORD='.length));
    expect(container('app').inputs.ports).toEqual([{ internal: appDefaultPort(), external: 8080, ip: '127.0.0.1' }]);
  });

  it('backs the database up daily in the app image with the app settings, writing the backup metric where node_exporter reads it', () => {
    const backup = container('backup');
    expect(backup.inputs.image).toBe(container('app').inputs.image);
    expect(backup.inputs.entrypoints).toEqual(['/usr/bin/tini', '-g', '--', '/bin/sh', '/app/scripts/backup-daily.sh']);
    const { values, secret } = envOf('backup');
    expect(secret).toBe(true);
    expect(values).toMatchObject({ ...envOf('app').values, BACKUP_DIR: '/app/backups', BACKUP_METRICS_DIR: '/app/metrics' });
    const volumeAt = (name: string, path: string) => (container(name).inputs.volumes ?? []).find((volume: { containerPath: string }) => volume.containerPath === path)?.volumeName;
    const textfileDir = /--collector\.textfile\.directory=(\S+)/.exec(container('node_exporter').inputs.command.join(' '))?.[1] ?? '';
    expect(volumeAt('backup', '/app/metrics')).toBeDefined();
    expect(volumeAt('node_exporter', textfileDir)).toBe(volumeAt('backup', '/app/metrics'));
    expect(volumeAt('backup', '/app/backups')).toBe('todobox-backups');
  });

  it('health-checks the app on /healthz and lets it drain on SIGTERM', () => {
    const app = container('app');
    expect(app.inputs.healthcheck.tests.join(' ')).toContain(`http://127.0.0.1:${appDefaultPort()}/healthz`);
    expect(app.inputs.stopSignal).toBe('SIGTERM');
    expect(app.inputs.stopTimeout).toBeGreaterThan(25);
    for (const name of ['db', 'redis', 'prometheus', 'alertmanager', 'grafana']) {
      expect(container(name).inputs.healthcheck.tests.length).toBeGreaterThan(1);
    }
  });

  it('uploads the monitoring/ files that exist, to the paths the images read', () => {
    const expectUploads = (name: string, localDir: string, containerDir: string) => {
      const uploads = uploadsOf(name).filter((upload) => upload.file.startsWith(`${containerDir}/`));
      expect(uploads.length).toBeGreaterThan(0);
      for (const upload of uploads) {
        const local = path.join(ROOT, localDir, upload.file.slice(containerDir.length + 1));
        expect(fs.existsSync(local)).toBe(true);
        expect(upload.content).toBe(fs.readFileSync(local, 'utf8'));
      }
      return uploads.map((upload) => upload.file);
    };
    const prometheusFiles = expectUploads('prometheus', 'monitoring/prometheus', '/etc/prometheus');
    expect(prometheusFiles).toEqual(expect.arrayContaining(['/etc/prometheus/prometheus.compose.yml', '/etc/prometheus/rules/alerts.yml', '/etc/prometheus/rules/recording.yml']));
    expect(container('prometheus').inputs.command).toContain('--config.file=/etc/prometheus/prometheus.compose.yml');
    // A load test's k6 results are written in (loadtest/README.md).
    expect(container('prometheus').inputs.command).toContain('--web.enable-remote-write-receiver');
    expect(expectUploads('alertmanager', 'monitoring/alertmanager', '/etc/alertmanager')).toContain('/etc/alertmanager/alertmanager.yml');
    expect(expectUploads('grafana', 'monitoring/grafana/provisioning', '/etc/grafana/provisioning')).toContain('/etc/grafana/provisioning/datasources/prometheus.yml');
    expect(expectUploads('grafana', 'monitoring/grafana/dashboards', '/etc/grafana/dashboards').length).toBe(fs.readdirSync(path.join(ROOT, 'monitoring/grafana/dashboards')).length);
  });

  it('hands Prometheus the metrics token and Alertmanager its receivers’ secrets as secret files where the configs read them', () => {
    const token = uploadsOf('prometheus').find((upload) => upload.file === '/run/secrets/metrics_token');
    expect(token?.content).toBe(envOf('app').values.METRICS_TOKEN);
    expect(uploadsAreSecret('prometheus')).toBe(true);
    const prometheusConfig = parse(fs.readFileSync(path.join(ROOT, 'monitoring/prometheus/prometheus.compose.yml'), 'utf8'));
    const appJob = prometheusConfig.scrape_configs.find((job: { job_name: string }) => job.job_name === 'todobox');
    expect(appJob.authorization.credentials_file).toBe('/run/secrets/metrics_token');

    const alertmanagerConfig = fs.readFileSync(path.join(ROOT, 'monitoring/alertmanager/alertmanager.yml'), 'utf8');
    const secretFiles = [...alertmanagerConfig.matchAll(/_file: (\S+)/g)].map((match) => match[1]);
    expect(secretFiles.length).toBeGreaterThan(0);
    for (const file of secretFiles) {
      expect(uploadsOf('alertmanager').find((each) => each.file === file)?.content).toEqual(expect.any(String));
    }
    expect(uploadsAreSecret('alertmanager')).toBe(true);
    const grafanaPassword = uploadsOf('grafana').find((upload) => upload.file === '/run/secrets/grafana_admin_password');
    expect(grafanaPassword?.content).toEqual(expect.any(String));
    expect(uploadsAreSecret('grafana')).toBe(true);
    expect(envOf('grafana').values.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
  });

  it('publishes only the app and, on loopback, Grafana', () => {
    const published = run.resources.filter((resource) => resource.type === CONTAINER && resource.inputs.ports?.length);
    expect(published.map((each) => each.name).sort()).toEqual(['app', 'grafana']);
    expect(container('grafana').inputs.ports[0].ip).toBe('127.0.0.1');
  });

  it('generates every credential and exports secrets only as secrets', async () => {
    const passwords = run.resources.filter((resource) => resource.type === 'random:index/randomPassword:RandomPassword');
    expect(passwords.map((each) => each.name).sort()).toEqual(
      ['db-password', 'grafana-admin-password', 'metrics-token', 'mysql-root-password', 'mysqld-exporter-password', 'salt', 'secret-key'],
    );
    for (const password of passwords) expect(password.inputs.special).toBe(false);
    expect(await run.resolve(run.outputs.grafanaAdminPassword)).toMatchObject({ isSecret: true });
    expect(await run.resolve(run.outputs.metricsToken)).toMatchObject({ isSecret: true });
    expect(await run.resolve(run.outputs.appUrl)).toEqual({ value: 'http://127.0.0.1:8080', isSecret: false });
    expect(unwrapSecret(container('db').inputs.envs).secret).toBe(true);
    expect(unwrapSecret(container('mysqld_exporter').inputs.envs).secret).toBe(true);
  });

  it('refuses a stack without the Alertmanager receivers’ secrets', async () => {
    const { alertmanagerSlackWebhookUrl: _missing, ...withoutSlack } = BASE_DOCKER_CONFIG;
    await expect(loadDockerProgram(withoutSlack)).rejects.toThrow(/alertmanagerSlackWebhookUrl/);
  }, 60_000);
});
