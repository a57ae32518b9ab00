import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { describeWithService } from '../../app/test/helpers/requiredService';
import { nginxAvailable, testNginxConfig, writeMainConfig, writeTestCertificate } from '../../app/test/helpers/nginx';
import { ROOT, appConfigNames, appDefaultPort, envExampleNames, writeLocalComposeSite } from './deployFacts';
import { HARDENING, LOG_ROTATION } from '../docker/src/hardening';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** The parsed compose file, read by property path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;
// merge: the services share x-confined through `<<: *confined`, as Docker Compose reads it.
const compose: Yaml = parse(read('docker-compose.yml'), { merge: true });
const services: Record<string, Yaml> = compose.services;
/** The guide's example secrets, which must never be deployed. */
const GUIDE_SECRETS = ['your-secret-key', 'rootpassword', 'dbpassword'];
/** Host paths a service may mount that are not in the repository: node_exporter reads the host's root. */
const HOST_MOUNTS = ['/'];

function bindSources(service: Yaml): string[] {
  return (service.volumes ?? [])
    .map((volume: string | { type: string; source: string }) => (typeof volume === 'string' ? volume.split(':')[0] : volume.source))
    .filter((source: string) => source.startsWith('.') || source.startsWith('/'));
}

describe('docker-compose.yml', () => {
  it('is a compose-spec file without the obsolete version key', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'alloy', 'app', 'backup', 'blackbox_exporter', 'db', 'grafana', 'loki', 'mysqld_exporter', 'nginx', 'node_exporter', 'prometheus', 'redis', 'redis_exporter'],
    );
  });

  it('confines every service as the Pulumi Docker program does: rotated logs, no capability but its own, no new privileges, bounded memory and CPU', () => {
    for (const [name, service] of Object.entries(services)) {
      const hardening = HARDENING[name];
      expect([name, hardening]).toEqual([name, expect.any(Object)]);
      expect([name, service.logging]).toEqual([name, { driver: 'json-file', options: LOG_ROTATION }]);
      expect([name, service.cap_drop, service.cap_add ?? [], service.security_opt]).toEqual([name, ['ALL'], hardening.capAdd, ['no-new-privileges:true']]);
      expect([name, service.mem_limit, service.cpus]).toEqual([name, `${hardening.memoryMb}m`, hardening.cpus]);
      expect([name, service.read_only ?? false, service.tmpfs ?? []]).toEqual([name, hardening.readOnly, hardening.tmpfs]);
    }
  });

  it('has nginx find a recreated app container without a restart: Docker\'s resolver, re-asked, on an nginx that can', () => {
    const site = read('infra/server/nginx/compose.conf');
    expect(site).toMatch(/^resolver 127\.0\.0\.11 valid=\d+s ipv6=off;$/m);
    expect(site).toMatch(/^\s*server app:\d+ resolve /m);
    const [major, minor, patch] = String(services.nginx.image).split(':')[1].split('.').map(Number);
    expect(major * 10_000 + minor * 100 + patch).toBeGreaterThanOrEqual(1 * 10_000 + 27 * 100 + 3);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const mounted = Object.values(services).flatMap(bindSources).filter((source) => !HOST_MOUNTS.includes(source));
    expect(mounted.length).toBeGreaterThan(5);
    for (const source of mounted) expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
    expect(mounted).toEqual(expect.arrayContaining([
      './monitoring/prometheus', './monitoring/alertmanager', './monitoring/grafana/provisioning', './monitoring/grafana/dashboards',
      './infra/server/nginx/compose.conf',
    ]));
    expect(services.grafana.volumes).toEqual(expect.arrayContaining([
      './monitoring/grafana/provisioning:/etc/grafana/provisioning:ro', './monitoring/grafana/dashboards:/etc/grafana/dashboards:ro',
    ]));
  });

  it('keeps every stateful service on a declared named volume', () => {
    const named = Object.keys(compose.volumes);
    const expectations: Record<string, string> = {
      db: '/var/lib/mysql', redis: '/data', app: '/app/instance', prometheus: '/prometheus', alertmanager: '/alertmanager', grafana: '/var/lib/grafana',
    };
    for (const [service, target] of Object.entries(expectations)) {
      const volume = services[service].volumes.find((entry: string) => entry.split(':')[1] === target);
      expect(named).toContain(volume.split(':')[0]);
    }
    for (const service of Object.values(services)) {
      for (const entry of service.volumes ?? []) {
        const source = entry.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(named).toContain(source);
      }
    }
  });

  it('waits only for services that declare a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, condition] of Object.entries<Yaml>(service.depends_on ?? {})) {
        expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
        expect(condition.condition).toBe('service_healthy');
        expect(services[target].healthcheck?.test?.length).toBeGreaterThan(1);
      }
    }
    expect(Object.keys(services.app.depends_on).sort()).toEqual(['db', 'redis']);
    expect(services.db.image).toBe('mysql:8.0');
    expect(services.db.healthcheck.test).toEqual(expect.arrayContaining(['mysqladmin', 'ping']));
    expect(services.redis.healthcheck.test).toEqual(expect.arrayContaining(['redis-cli', 'ping']));
  });

  it('gives the app only settings it knows, with the guide’s database names, on its port', () => {
    const known = appConfigNames();
    const documented = envExampleNames();
    const environment: Record<string, string> = services.app.environment;
    for (const name of Object.keys(environment)) {
      expect(known).toContain(name);
      expect(documented).toContain(name);
    }
    expect(environment).toMatchObject({ DATABASE_DEFAULT: 'mysql', DB_URL: 'db', PORT: String(appDefaultPort()), BIND_ADDRESS: '0.0.0.0', TRUST_PROXY: '1' });
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(['DB_USER', 'DB_PW', 'DB_NAME', 'SECRET_KEY', 'SALT', 'METRICS_TOKEN', 'REDIS_URL', 'WEB_CONCURRENCY']));
    expect(environment.REDIS_URL).toBe('redis://redis:6379/0');
    expect(services.app.healthcheck.test.join(' ')).toContain(`127.0.0.1:${appDefaultPort()}/healthz`);
    expect(read('infra/server/nginx/compose.conf')).toMatch(new RegExp(`server app:${appDefaultPort()} resolve[ ;]`));
  });

  it('documents in .env.example every variable it reads, the compose-only ones too', () => {
    const lines = read('docker-compose.yml').split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
    // ${NAME...} in values, and the secrets compose reads from the environment (`environment: NAME`).
    const names = [...lines.matchAll(/\$\{([A-Z0-9_]+)/g), ...lines.matchAll(/^\s+environment: ([A-Z0-9_]+)$/gm)].map((match) => match[1]);
    const referenced = [...new Set(names)];
    expect(referenced.length).toBeGreaterThan(10);
    const example = read('.env.example');
    for (const name of referenced) expect([name, new RegExp(`^(# )?${name}=`, 'm').test(example)]).toEqual([name, true]);
  });

  it('takes every secret from the operator’s .env, never a literal', () => {
    const environment: Record<string, string> = services.app.environment;
    for (const name of ['SECRET_KEY', 'SALT', 'DB_PW', 'METRICS_TOKEN']) expect(environment[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`));
    expect(services.db.environment.MYSQL_PASSWORD).toBe(environment.DB_PW);
    const text = read('docker-compose.yml');
    for (const secret of GUIDE_SECRETS) expect(text).not.toContain(secret);
    for (const [name, secret] of Object.entries<Yaml>(compose.secrets)) {
      expect({ name, source: secret.environment ?? secret.file }).toEqual({ name, source: expect.stringMatching(/^[A-Z_]+$|^\$\{[A-Z_]+:\?.+\}$/) });
    }
  });

  it('publishes only nginx, and Grafana on the host’s loopback', () => {
    const published = Object.entries(services).filter(([, service]) => service.ports?.length).map(([name]) => name);
    expect(published.sort()).toEqual(['grafana', 'nginx']);
    expect(services.nginx.ports).toEqual(['80:80', '443:443']);
    expect(services.grafana.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('backs the database up daily in the app image, writing the backup metric into the folder node_exporter exports', () => {
    const backup = services.backup;
    expect(backup.image).toBe(services.app.image);
    expect(backup.entrypoint).toEqual(['/usr/bin/tini', '-g', '--', '/bin/sh', '/app/scripts/backup-daily.sh']);
    expect(backup.environment).toMatchObject({ DATABASE_DEFAULT: 'mysql', DB_URL: 'db', BACKUP_DIR: '/app/backups', BACKUP_METRICS_DIR: '/app/metrics' });
    for (const name of ['DB_USER', 'DB_PW', 'DB_NAME', 'SECRET_KEY', 'SALT']) expect([name, backup.environment[name]]).toEqual([name, services.app.environment[name]]);
    const textfileDir = /--collector\.textfile\.directory=(\S+)/.exec(services.node_exporter.command.join(' '))?.[1];
    expect(backup.volumes).toEqual(['backups:/app/backups', 'node_textfile:/app/metrics']);
    expect(services.node_exporter.volumes).toContain(`node_textfile:${textfileDir}:ro`);
  });

  it('keeps Prometheus data at least 35 days on every path that ships one, so the 30-day SLO panels have their whole window', () => {
    const days = (text: string) => Number(/--storage\.tsdb\.retention\.time=(\d+)d/.exec(text)?.[1] ?? 0);
    expect(days(services.prometheus.command.join(' '))).toBeGreaterThanOrEqual(35);
    expect(days(read('infra/docker/src/monitoring.ts'))).toBeGreaterThanOrEqual(35);
    expect(days(read('scripts/monitoring-up.sh'))).toBeGreaterThanOrEqual(35);
    expect(days(read('monitoring/prometheus/prometheus.yml'))).toBeGreaterThanOrEqual(35);
  });

  it('has nginx write its access log, beside the image\'s stdout, to a volume that Alloy reads read-only', () => {
    const site = read('infra/server/nginx/compose.conf');
    const accessLogs = [...site.matchAll(/^\s*access_log (\S+) todobox;$/gm)].map((match) => match[1]);
    const edgeLogs = accessLogs.filter((file) => !file.startsWith('/var/log/nginx/'));
    // Both servers (the redirect of port 80 too) write both logs; the image links /var/log/nginx/access.log to stdout.
    expect(accessLogs.filter((file) => file === '/var/log/nginx/access.log').length).toBe(2);
    expect(edgeLogs.length).toBe(2);
    expect(new Set(edgeLogs).size).toBe(1);
    const edgeDir = path.posix.dirname(edgeLogs[0]);
    const nginxMount = (services.nginx.volumes as string[]).find((entry) => entry.split(':')[1] === edgeDir);
    const [volume, , mode] = (nginxMount ?? '').split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(mode).toBeUndefined();
    // The volume is the only writable place nginx gains: its root filesystem stays read-only.
    expect(services.nginx.read_only).toBe(true);
    expect(services.alloy.volumes).toContain(`${volume}:${edgeDir}:ro`);
    expect(read('monitoring/alloy/config.alloy')).toContain(`"${edgeLogs[0]}"`);
  });

  it('points Prometheus at the compose services, with the same rules and jobs as the production config', () => {
    expect(services.prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.compose.yml');
    // A load test's k6 results are written in (loadtest/README.md).
    expect(services.prometheus.command).toContain('--web.enable-remote-write-receiver');
    const production = parse(read('monitoring/prometheus/prometheus.yml'));
    const local = parse(read('monitoring/prometheus/prometheus.compose.yml'));
    expect(local.rule_files).toEqual(production.rule_files);
    const jobs = local.scrape_configs.map((job: { job_name: string }) => job.job_name);
    for (const job of ['todobox', 'node', 'mysqld', 'redis', 'prometheus', 'alertmanager', 'blackbox', 'nginx', 'loki']) expect(jobs).toContain(job);
    const targets = JSON.stringify(local.scrape_configs);
    for (const service of ['node_exporter:9100', 'mysqld_exporter:9104', 'redis_exporter:9121', 'alertmanager:9093', 'blackbox_exporter:9115', '"app"', 'alloy:12345', 'loki:3100']) expect(targets).toContain(service);
    // The probe reads the same target file on every path.
    const probe = (config: { scrape_configs: Array<{ job_name: string; file_sd_configs?: unknown }> }) => config.scrape_configs.find((job) => job.job_name === 'blackbox')?.file_sd_configs;
    expect(probe(local)).toEqual(probe(production));
    expect(fs.existsSync(path.join(ROOT, 'monitoring/prometheus/targets/blackbox.yml'))).toBe(true);
    expect(targets).not.toMatch(/10\.0\.1\./);
    expect(services.prometheus.secrets).toContain('metrics_token');
    expect(local.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(services.node_exporter.command.join(' ')).toContain('--collector.textfile.directory=');
    expect(services.mysqld_exporter.environment.MYSQLD_EXPORTER_PASSWORD).toMatch(/^\$\{MYSQLD_EXPORTER_PASSWORD:\?/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
  const finalStage = stages[stages.length - 1];
  const stageNamed = (name: string) => stages.find((stage) => new RegExp(`^FROM \\S+ AS ${name}\\s`).test(stage)) ?? '';

  it('builds in several stages on a pinned Node 20 Debian image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    for (const stage of stages) expect(stage).toMatch(/^FROM (\$\{NODE_IMAGE\}|node:20-bookworm-slim|toolchain|base)( AS \S+)?\n/);
  });

  it('ships only production dependencies: the final stage’s node_modules come from `npm ci --omit=dev`', () => {
    const copies = [...finalStage.matchAll(/^COPY --from=(\S+)\s.*node_modules/gm)].map((match) => match[1]);
    expect(copies).toEqual(['production-deps']);
    expect(stageNamed('production-deps')).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(finalStage).not.toMatch(/npm (ci|install)(?! --omit=dev)/);
    expect(finalStage).not.toMatch(/\bg\+\+|\bmake\b|python3/);
    expect(stageNamed('build')).toMatch(/npm run build/);
  });

  it('runs as the unprivileged node user, owning only instance/, logs/, backups/ and metrics/', () => {
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).not.toMatch(/^USER (root|0)\b/m);
    expect(finalStage).toMatch(/chown node:node instance logs backups metrics$/m);
    // `todobox backup` and `restore` need mysqldump and mysql in the image the backup container runs.
    expect(finalStage).toMatch(/apt-get install .*\bmariadb-client\b/);
    expect(finalStage).toMatch(/^WORKDIR \/app$/m);
  });

  it('listens on the app’s port on every interface, health-checks /healthz and stops with SIGTERM', () => {
    expect(finalStage).toMatch(new RegExp(`^EXPOSE ${appDefaultPort()}$`, 'm'));
    expect(finalStage).toMatch(new RegExp(`PORT=${appDefaultPort()}\\b`));
    expect(finalStage).toMatch(/BIND_ADDRESS=0\.0\.0\.0/);
    expect(finalStage).toMatch(/NODE_ENV=production/);
    expect(finalStage).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(finalStage).toMatch(/^STOPSIGNAL SIGTERM$/m);
    for (const copied of ['app/views', 'app/public', 'bin', 'package.json', '/app/app/dist']) expect(finalStage).toContain(copied);
  });

  it('migrates the database before the server starts', () => {
    expect(finalStage).toMatch(/^ENTRYPOINT \[.*"\/app\/scripts\/docker-entrypoint\.sh"\]$/m);
    expect(finalStage).toMatch(/^CMD \["node", "app\/dist\/server\.js"\]$/m);
    const entrypoint = read('scripts/docker-entrypoint.sh');
    expect(entrypoint.indexOf('node bin/todobox.js db:migrate')).toBeGreaterThan(0);
    expect(entrypoint.indexOf('node bin/todobox.js db:migrate')).toBeLessThan(entrypoint.indexOf('exec "$@"'));
    expect(fs.statSync(path.join(ROOT, 'scripts/docker-entrypoint.sh')).mode & 0o111).toBeTruthy();
  });

  it('leaves local state and build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'app/dist', 'instance', 'logs', 'test-artifacts', '.git', 'infra/**/node_modules', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('Procfile', () => {
  it('migrates in the release phase and serves on Heroku’s PORT on every interface', () => {
    const processes = Object.fromEntries(read('Procfile').trim().split('\n').map((line) => [line.split(':')[0], line.slice(line.indexOf(':') + 1).trim()]));
    expect(processes.release).toBe('node bin/todobox.js db:migrate');
    expect(processes.web).toBe('BIND_ADDRESS=0.0.0.0 node app/dist/server.js');
    expect(JSON.parse(read('package.json')).scripts.build).toBeDefined();
  });
});

const PULUMI_PACKAGES = ['infra/aws', 'infra/docker', 'infra/policy'];
const pulumiEntries = (lock: Yaml) => Object.keys(lock.packages).filter((key) => /(^|\/)node_modules\/@pulumi\//.test(key));

describe('the app\'s install', () => {
  it('carries no Pulumi package: the Pulumi programs and the policy pack each have their own', () => {
    expect(pulumiEntries(JSON.parse(read('package-lock.json')))).toEqual([]);
    const manifest = JSON.parse(read('package.json'));
    const declared = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)];
    expect(declared.filter((name) => name.startsWith('@pulumi/'))).toEqual([]);
    expect(manifest.workspaces).toBeUndefined();
    for (const folder of PULUMI_PACKAGES) {
      const own = JSON.parse(read(`${folder}/package.json`));
      expect({ folder, pulumi: own.dependencies['@pulumi/pulumi'] }).toEqual({ folder, pulumi: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      expect(pulumiEntries(JSON.parse(read(`${folder}/package-lock.json`))).length).toBeGreaterThan(0);
    }
  });

  it('without devDependencies (the README\'s start command, production installs) leaves out every test tool, and keeps what npm start builds with', () => {
    const result = spawnSync('npm', ['ci', '--omit=dev', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    });
    expect(result.status).toBe(0);
    const plan = result.stdout.split('\n');
    const manifest = JSON.parse(read('package.json'));
    const lock = JSON.parse(read('package-lock.json'));
    // A devDependency that a run-time package depends on too (@types/node, say) stays, as it must.
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => lock.packages[`node_modules/${name}`].dev === true);
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'eslint', 'playwright-core', 'supertest', 'autocannon']));
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['typescript', '@types/express', '@types/node']));
    const kept = (name: string) => !plan.includes(`remove ${name} ${manifest.devDependencies[name]}`);
    expect(devOnly.filter(kept)).toEqual([]);
    expect(plan.filter((line) => /^(add|change) /.test(line))).toEqual([]);
    expect(plan.some((line) => line.startsWith('remove express '))).toBe(false);
  }, 90_000);

  it('lists in dependencies every package the app imports, and its type declarations, so a production install builds and runs', () => {
    const manifest = JSON.parse(read('package.json'));
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : []));
    const imported = new Set<string>();
    for (const file of files(path.join(ROOT, 'app/src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:^import [^'"]*?from |^import |require\()'([^'.][^']*)'/gm)) {
        if (specifier.startsWith('node:')) continue;
        imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    const typesOf = (name: string) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
    const missing = [...imported].filter((name) => !(name in manifest.dependencies));
    const typesInDevOnly = [...imported].map(typesOf).filter((types) => types in (manifest.devDependencies ?? {}));
    expect({ missing, typesInDevOnly }).toEqual({ missing: [], typesInDevOnly: [] });
  });
});

describeWithService('nginx', nginxAvailable(), 'the compose nginx site', () => {
  it('accepts the compose site (nginx -t) with the app upstream and secrets replaced by local stand-ins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-compose-nginx-'));
    fs.chmodSync(dir, 0o755);
    writeTestCertificate(dir);
    const sitePath = writeLocalComposeSite(dir, { upstream: 9191, http: 18080, https: 18443 });
    const { ok, output } = testNginxConfig(writeMainConfig(dir, sitePath), dir);
    expect(output).toContain('syntax is ok');
    expect(ok).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
