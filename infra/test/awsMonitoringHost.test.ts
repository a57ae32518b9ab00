import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { BASE_AWS_CONFIG, loadAwsProgram, type AwsProgramRun } from '../aws/test/awsProgram';
import { plainInput } from './mockEngine';
import { prometheusVolumeSizeGb } from '../aws/src/monitoringStorage';
import type { MockResource } from './mockEngine';
import { describeWithService } from '../../app/test/helpers/requiredService';

const T = {
  instance: 'aws:ec2/instance:Instance',
  volume: 'aws:ebs/volume:Volume',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  rolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  bucketPublicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
};
const ofType = (run: AwsProgramRun, type: string): MockResource[] => run.resources.filter((resource) => resource.type === type);
const SCRIPT = '/usr/local/sbin/todobox-rds-backup-metric';
const TEXTFILE_DIRECTORY = '/var/lib/prometheus/node-exporter';

/** A file the monitoring host's boot script writes, by its here-document. */
function fileWrittenBy(userData: string, file: string): string {
  const start = userData.indexOf(`cat > ${file} <<'TODOBOX_EOF'\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = userData.slice(userData.indexOf('\n', start) + 1);
  return body.slice(0, body.indexOf('\nTODOBOX_EOF'));
}

const monitoring = (run: AwsProgramRun, type: string) => ofType(run, type).filter((resource) => resource.name.includes('-monitoring'));

let prod: AwsProgramRun;
beforeAll(async () => {
  prod = await loadAwsProgram(BASE_AWS_CONFIG, 'prod');
}, 60000);

describe('the AWS monitoring host', () => {
  it('boots the app servers\' image with IMDSv2 only, an encrypted root volume and detailed monitoring', () => {
    const [host] = monitoring(prod, T.instance);
    expect(host.inputs).toMatchObject({
      ami: 'ami-0abcdef1234567890',
      instanceType: 't3.small',
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3' },
      monitoring: true,
    });
    expect(host.inputs.keyName).toBeUndefined();
  });

  it('may be managed through Session Manager, discover instances, read the database\'s backup state, and read only its own secret and bucket', () => {
    expect(monitoring(prod, T.rolePolicyAttachment).map((attachment) => attachment.inputs.policyArn).sort()).toEqual([
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
    ]);
    const [policy] = monitoring(prod, T.rolePolicy);
    const statements = JSON.parse(policy.inputs.policy).Statement as Array<{ Action: string[]; Resource: string | string[] }>;
    expect(statements.map((statement) => [statement.Action, statement.Resource])).toEqual([
      [['ec2:DescribeInstances', 'ec2:DescribeAvailabilityZones'], '*'],
      [['rds:DescribeDBInstances'], ['arn:aws:rds:us-east-1:123456789012:db:todobox-prod-db-id']],
      [['secretsmanager:GetSecretValue'], [expect.stringContaining(':secret:todobox-prod-monitoring-secrets-')]],
      [['s3:ListBucket'], [expect.stringMatching(/todobox-prod-monitoring-config-id$/)]],
      [['s3:GetObject'], [expect.stringMatching(/todobox-prod-monitoring-config-id\/config\/\*$/)]],
    ]);
  });

  it("installs the kit's files where the services read them, and points Grafana at the Prometheus beside it", () => {
    const files = Object.fromEntries(
      ofType(prod, 'aws:s3/bucketObjectv2:BucketObjectv2').map((object) => [String(object.inputs.key).replace(/^config/, ''), String(object.inputs.content)]),
    );
    const prometheus = parse(files['/etc/prometheus/prometheus.yml']);
    const shipped = parse(readFileSync(path.resolve(__dirname, '../../monitoring/prometheus/prometheus.yml'), 'utf8'));
    expect(prometheus.rule_files).toEqual(shipped.rule_files);
    for (const rules of prometheus.rule_files) expect(Object.keys(files)).toContain(`/etc/prometheus/${rules}`);
    const alertmanager = parse(files['/etc/prometheus/alertmanager.yml']);
    expect(alertmanager.templates).toEqual(['templates/*.tmpl']);
    expect(Object.keys(files).filter((file) => file.startsWith('/etc/prometheus/templates/')).length).toBeGreaterThan(0);
    const provider = parse(files['/etc/grafana/provisioning/dashboards/todobox.yml']).providers[0];
    const dashboards = Object.keys(files).filter((file) => file.startsWith(`${provider.options.path}/`) && file.endsWith('.json'));
    expect(dashboards.length).toBeGreaterThanOrEqual(5);
    expect(dashboards).not.toContain(`${provider.options.path}/logs.json`);
    const datasource = parse(files['/etc/grafana/provisioning/datasources/prometheus.yml']).datasources[0];
    expect(datasource).toMatchObject({ uid: 'prometheus', url: 'http://127.0.0.1:9090' });
    expect(plainInput<string>(monitoring(prod, T.instance)[0].inputs.userData)).toContain('--web.listen-address=127.0.0.1:9090');
  });

  it('pings the Watchdog switch with a webhook reading its secret file, the shipped routes otherwise unchanged', () => {
    const installed = parse(String(ofType(prod, 'aws:s3/bucketObjectv2:BucketObjectv2').find((object) => String(object.inputs.key).endsWith('/alertmanager.yml'))?.inputs.content));
    const shipped = parse(readFileSync(path.resolve(__dirname, '../../monitoring/alertmanager/alertmanager.yml'), 'utf8'));
    const watchdog = installed.receivers.find((receiver: { name: string }) => receiver.name === 'watchdog');
    expect(watchdog).toEqual({ name: 'watchdog', webhook_configs: [{ url_file: '/etc/prometheus/secrets/watchdog-url', send_resolved: false }] });
    const others = (config: { receivers: { name: string }[] }) => config.receivers.filter((receiver) => receiver.name !== 'watchdog');
    expect(others(installed)).toEqual(others(shipped));
    expect(installed.route).toEqual(shipped.route);
    expect(installed.inhibit_rules).toEqual(shipped.inhibit_rules);
  });

  it('keeps its files in a private, encrypted bucket', () => {
    expect(monitoring(prod, T.bucketPublicAccessBlock)[0].inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(monitoring(prod, T.bucketEncryption)[0].inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]);
  });

  it('sizes its data volume for 40 days of the largest fleet, or as monitoringVolumeSizeGb says', async () => {
    // At least 35 days, as on every path: the 30-day SLO panels need their whole window.
    expect(plainInput<string>(monitoring(prod, T.instance)[0].inputs.userData)).toContain('--storage.tsdb.retention.time=40d');
    expect([1, 4, 10, 40].map(prometheusVolumeSizeGb)).toEqual([20, 20, 40, 150]);
    expect(monitoring(prod, T.volume)[0].inputs.size).toBe(20);
    const large = await loadAwsProgram({ ...BASE_AWS_CONFIG, maxSize: '10', monitoringVolumeSizeGb: undefined }, 'prod');
    expect(monitoring(large, T.volume)[0].inputs.size).toBe(40);
    const chosen = await loadAwsProgram({ ...BASE_AWS_CONFIG, monitoringVolumeSizeGb: '64' }, 'prod');
    expect(monitoring(chosen, T.volume)[0].inputs.size).toBe(64);
  });

  it('follows the app servers onto Graviton, and refuses a type of another architecture, which could not boot their image', async () => {
    const graviton = await loadAwsProgram({ ...BASE_AWS_CONFIG, instanceType: 't4g.small' }, 'prod');
    expect(monitoring(graviton, T.instance)[0].inputs.instanceType).toBe('t4g.small');
    await expect(loadAwsProgram({ ...BASE_AWS_CONFIG, monitoringInstanceType: 'm7g.large' }, 'prod')).rejects.toThrow(
      /monitoringInstanceType m7g\.large must have the architecture of instanceType t3\.small \(x86_64\)/,
    );
  });
});

describe('the backup metric on AWS', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'todobox-rds-backup-metric-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** Runs the host's script with a stand-in AWS CLI answering `restorable`, writing into the temporary folder. */
  function runScript(restorable: string) {
    const userData = plainInput<string>(monitoring(prod, T.instance)[0].inputs.userData);
    const calls = path.join(directory, 'calls');
    const cli = path.join(directory, 'aws');
    writeFileSync(cli, `#!/bin/bash\nprintf '%s\\n' "$*" >> '${calls}'\necho '${restorable}'\n`, { mode: 0o755 });
    const script = fileWrittenBy(userData, SCRIPT).replaceAll('/snap/bin/aws', cli).replaceAll(TEXTFILE_DIRECTORY, directory);
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    const metrics = path.join(directory, 'todobox_backup.prom');
    return { status: result.status, calls: readFileSync(calls, 'utf8'), metrics: existsSync(metrics) ? readFileSync(metrics, 'utf8') : undefined };
  }

  it("writes RDS's latest restorable time as todobox_backup_last_success_timestamp_seconds for node_exporter, every 5 minutes", () => {
    const { status, calls, metrics } = runScript('2026-12-04T18:55:00+00:00');
    expect(status).toBe(0);
    expect(calls).toBe("rds describe-db-instances --region us-east-1 --db-instance-identifier todobox-prod-db-id --query DBInstances[0].LatestRestorableTime --output text\n");
    expect(metrics).toContain('# TYPE todobox_backup_last_success_timestamp_seconds gauge');
    expect(metrics).toContain(`todobox_backup_last_success_timestamp_seconds{source="rds"} ${Date.parse('2026-12-04T18:55:00Z') / 1000}`);
    const userData = plainInput<string>(monitoring(prod, T.instance)[0].inputs.userData);
    expect(fileWrittenBy(userData, '/etc/systemd/system/todobox-rds-backup-metric.timer')).toContain('OnUnitActiveSec=5min');
    expect(userData).toContain(`--collector.textfile.directory=${TEXTFILE_DIRECTORY}`);
  });

  it('writes nothing while the database has no restorable time yet, which BackupTooOld reports as no backup', () => {
    const { status, metrics } = runScript('None');
    expect(status).toBe(0);
    expect(metrics).toBeUndefined();
  });
});

const SECRETS_WRITER = '/usr/local/sbin/todobox-monitoring-secrets';
const SECRETS_DIRECTORY = '/etc/prometheus/secrets';
const SECRETS_LOCK = '/run/lock/todobox-monitoring-secrets';
const userDataOf = (run: AwsProgramRun) => plainInput<string>(monitoring(run, T.instance)[0].inputs.userData);
const secretFileNames = (run: AwsProgramRun): string[] =>
  Object.keys(JSON.parse(plainInput<string>(monitoring(run, 'aws:secretsmanager/secretVersion:SecretVersion')[0].inputs.secretString))).sort();
const installedAlertmanager = (run: AwsProgramRun): string =>
  String(ofType(run, 'aws:s3/bucketObjectv2:BucketObjectv2').find((object) => String(object.inputs.key).endsWith('/alertmanager.yml'))?.inputs.content);
/** The systemd files the boot script writes for a service: its unit, if it writes one, and its drop-ins. */
const unitFilesOf = (userData: string, service: string): string =>
  [...userData.matchAll(new RegExp(`^cat > (/etc/systemd/system/${service}\\.service(?:\\.d/[^ ]+)?) <<`, 'gm'))].map((match) => fileWrittenBy(userData, match[1])).join('\n');
/** `User=` of a service: from the boot script's unit or drop-ins, else the Ubuntu package's unit, which says prometheus. */
const userOf = (userData: string, service: string): string => /^User=(.+)$/m.exec(unitFilesOf(userData, service))?.[1] ?? 'prometheus';

describe("the monitoring host's secrets", () => {
  /** The services that read a secret file: by their arguments, by an environment file, or, for Alertmanager, by its configuration. */
  function secretReadingServices(userData: string): string[] {
    const byArguments = [...userData.matchAll(/^cat > \/etc\/default\/([a-z-]+) <<'TODOBOX_EOF'\n(.*)$/gm)]
      .filter((match) => match[2].includes(`${SECRETS_DIRECTORY}/`))
      .map((match) => match[1]);
    const byEnvironment = [...userData.matchAll(/^cat > \/etc\/systemd\/system\/([a-z-]+)\.service(?:\.d\/[^ ]+)? <<'TODOBOX_EOF'$/gm)]
      .filter((match) => unitFilesOf(userData, match[1]).includes(`EnvironmentFile=-${SECRETS_DIRECTORY}/`))
      .map((match) => match[1]);
    const byConfiguration = installedAlertmanager(prod).includes(`${SECRETS_DIRECTORY}/`) ? ['prometheus-alertmanager'] : [];
    return [...new Set([...byArguments, ...byEnvironment, ...byConfiguration])].sort();
  }

  it('are fetched again before every start of each service that reads one, so that a restart applies a changed secret', () => {
    const userData = userDataOf(prod);
    const services = secretReadingServices(userData);
    expect(services).toEqual(['grafana-server', 'prometheus-alertmanager', 'prometheus-mysqld-exporter', 'prometheus-redis-exporter']);
    for (const service of services) {
      expect({ service, runsWriterAsRoot: unitFilesOf(userData, service).includes(`ExecStartPre=+${SECRETS_WRITER}`) }).toEqual({ service, runsWriterAsRoot: true });
    }
    // No once-per-boot unit whose result a restart would reuse.
    expect(userData).not.toMatch(/RemainAfterExit|todobox-monitoring-secrets\.service/);
  });

  it("are each readable by the one user whose service opens it, none by the prometheus user Prometheus and the other exporters share", () => {
    const userData = userDataOf(prod);
    const writer = fileWrittenBy(userData, SECRETS_WRITER);
    const readerOf = (file: string) => {
      const branch = writer.split('\n').find((line) => new RegExp(`^ {4}(?:[^)]*\\|)?${file.replace('.', '\\.')}(?:\\|[^)]*)?\\) echo `).test(line));
      return branch === undefined ? 'root' : branch.replace(/^.*\) echo (\S+) ;;$/, '$1');
    };
    const receiverFiles = [...installedAlertmanager(prod).matchAll(new RegExp(`${SECRETS_DIRECTORY}/([a-z.-]+)`, 'g'))].map((match) => match[1]);
    expect(receiverFiles.length).toBeGreaterThanOrEqual(4);
    for (const file of receiverFiles) expect({ file, reader: readerOf(file) }).toEqual({ file, reader: userOf(userData, 'prometheus-alertmanager') });
    const cnf = /--config\.my-cnf=\/etc\/prometheus\/secrets\/(\S+?)"/.exec(fileWrittenBy(userData, '/etc/default/prometheus-mysqld-exporter'))?.[1] ?? '';
    expect(readerOf(cnf)).toBe(userOf(userData, 'prometheus-mysqld-exporter'));
    // systemd reads environment files as root, before it drops to the service's user.
    for (const file of ['grafana.env', 'redis-exporter.env']) expect(readerOf(file)).toBe('root');
    const users = ['prometheus-alertmanager', 'prometheus-mysqld-exporter', 'prometheus-redis-exporter'].map((service) => userOf(userData, service));
    expect(users).not.toContain('prometheus');
    expect(new Set(users).size).toBe(users.length);
    for (const user of users) expect(userData).toContain(`useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${user}`);
  });

  it('runs Alertmanager 0.28 or later, the first whose webhook url_file survives a failed ping, from its release archive checked against a pinned sum', async () => {
    const [major, minor] = (/^Description=Prometheus Alertmanager (\d+)\.(\d+)\.\d+$/m.exec(unitFilesOf(userDataOf(prod), 'prometheus-alertmanager')) ?? []).slice(1).map(Number);
    expect(major > 0 || minor >= 28).toBe(true);
    for (const [config, architecture] of [[BASE_AWS_CONFIG, 'amd64'], [{ ...BASE_AWS_CONFIG, instanceType: 't4g.small' }, 'arm64']] as const) {
      const userData = userDataOf(architecture === 'amd64' ? prod : await loadAwsProgram(config, 'prod'));
      const archive = new RegExp(`^curl -fsSLo /tmp/alertmanager\\.tar\\.gz https://github\\.com/prometheus/alertmanager/releases/download/v${major}\\.${minor}\\.\\d+/alertmanager-${major}\\.${minor}\\.\\d+\\.linux-${architecture}\\.tar\\.gz$`, 'm');
      expect(userData).toMatch(archive);
      expect(userData).toMatch(/^echo '[0-9a-f]{64} {2}\/tmp\/alertmanager\.tar\.gz' \| sha256sum -c -$/m);
      expect(userData.indexOf('sha256sum -c -')).toBeLessThan(userData.indexOf('tar -xzf /tmp/alertmanager.tar.gz'));
    }
    const aptInstall = userDataOf(prod).match(/^apt-get .* install .*$/gm) ?? [];
    expect(aptInstall.join('\n')).not.toMatch(/prometheus-alertmanager/);
    expect(unitFilesOf(userDataOf(prod), 'prometheus-alertmanager')).toMatch(/^ExecStart=\/usr\/local\/bin\/alertmanager --config\.file=\/etc\/prometheus\/alertmanager\.yml /m);
  }, 60000);
});

describeWithService('jq (apt package jq)', spawnSync('sh', ['-c', 'command -v jq']).status === 0, "the monitoring host's secrets writer", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'todobox-monitoring-secrets-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** The host's writer with a stand-in AWS CLI answering with `secret.json`, and a stand-in chown recording whom each file goes to. */
  function writer(): { script: string; env: NodeJS.ProcessEnv; secrets: string } {
    const stubs = path.join(directory, 'bin');
    const secrets = path.join(directory, 'secrets');
    spawnSync('mkdir', [stubs]);
    writeFileSync(path.join(stubs, 'aws'), `#!/bin/bash\ncat '${directory}/secret.json'\n`, { mode: 0o755 });
    writeFileSync(path.join(stubs, 'chown'), `#!/bin/bash\nprintf '%s\\n' "$*" >> '${directory}/chown'\n`, { mode: 0o755 });
    const script = fileWrittenBy(userDataOf(prod), SECRETS_WRITER)
      .replaceAll('/snap/bin/aws', path.join(stubs, 'aws'))
      .replaceAll(SECRETS_LOCK, path.join(directory, 'lock'))
      .replaceAll(SECRETS_DIRECTORY, secrets);
    return { script, env: { ...process.env, PATH: `${stubs}:${process.env.PATH}` }, secrets };
  }
  const secretValues = (version: string) => Object.fromEntries(secretFileNames(prod).map((name) => [name, `${name} ${version}\nsecond line`]));

  it('writes every secret as a file of mode 0400 owned by its reader, in a folder nobody can list, and replaces them on its next run', () => {
    const { script, env, secrets } = writer();
    for (const version of ['v1', 'v2']) {
      writeFileSync(path.join(directory, 'secret.json'), JSON.stringify(secretValues(version)));
      expect(spawnSync('bash', ['-c', script], { env, encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
      for (const [name, value] of Object.entries(secretValues(version))) {
        expect({ name, value: readFileSync(path.join(secrets, name), 'utf8'), mode: (statSync(path.join(secrets, name)).mode & 0o777).toString(8) }).toEqual({ name, value, mode: '400' });
      }
    }
    expect((statSync(secrets).mode & 0o777).toString(8)).toBe('711');
    const owners = Object.fromEntries(readFileSync(path.join(directory, 'chown'), 'utf8').trim().split('\n').map((line) => line.split(' ')).map(([owner, file]) => [path.basename(file, '.new'), owner]));
    expect(owners).toMatchObject({
      'watchdog-url': 'alertmanager:alertmanager',
      'pagerduty-routing-key': 'alertmanager:alertmanager',
      'mysqld-exporter.cnf': 'mysqld-exporter:mysqld-exporter',
      'grafana.env': 'root:root',
      'redis-exporter.env': 'root:root',
    });
    expect(Object.keys(owners).sort()).toEqual(secretFileNames(prod));
  });

  it('keeps the files of its last run when Secrets Manager does not answer, and fails when it has none', () => {
    const { script, env, secrets } = writer();
    // The stand-in CLI fails until secret.json exists; the retries' waits are skipped.
    const quick = script.replace(/^( +)sleep .*$/m, '$1:');
    const first = spawnSync('bash', ['-c', quick], { env, encoding: 'utf8' });
    expect(first.status).not.toBe(0);
    writeFileSync(path.join(directory, 'secret.json'), JSON.stringify(secretValues('v1')));
    expect(spawnSync('bash', ['-c', quick], { env }).status).toBe(0);
    rmSync(path.join(directory, 'secret.json'));
    const outage = spawnSync('bash', ['-c', quick], { env, encoding: 'utf8' });
    expect(outage.status).toBe(0);
    expect(outage.stderr).toContain('todobox: Secrets Manager did not answer, keeping the secret files of the last fetch');
    expect(readFileSync(path.join(secrets, 'watchdog-url'), 'utf8')).toBe(secretValues('v1')['watchdog-url']);
  });

  it('lets services starting together run it at once, each waiting its turn', async () => {
    const { script, env, secrets } = writer();
    writeFileSync(path.join(directory, 'secret.json'), JSON.stringify(secretValues('v1')));
    const run = () => new Promise<number | null>((resolve) => spawn('bash', ['-c', script], { env, stdio: 'ignore' }).on('exit', resolve));
    expect(await Promise.all([run(), run(), run(), run()])).toEqual([0, 0, 0, 0]);
    expect(readFileSync(path.join(secrets, 'grafana.env'), 'utf8')).toBe(secretValues('v1')['grafana.env']);
  });
});

const PACKAGED_UNITS = '/lib/systemd/system';
const exporterUnitsInstalled = ['prometheus-mysqld-exporter', 'prometheus-redis-exporter'].every((name) => existsSync(`${PACKAGED_UNITS}/${name}.service`));
describeWithService(
  'systemd-analyze and the exporters\' units (apt packages systemd, prometheus-mysqld-exporter, prometheus-redis-exporter)',
  spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0 && exporterUnitsInstalled,
  "the monitoring host's systemd files",
  () => {
    let directory: string;
    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'todobox-monitoring-units-'));
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('pass systemd-analyze verify on top of the units they extend, every key known', () => {
      const userData = userDataOf(prod);
      // Programs the host installs and this machine lacks stand in as /bin/true: verify checks each is executable.
      const here = (text: string) => text.replaceAll(/\/usr\/local\/s?bin\/[a-z-]+/g, '/bin/true');
      const grafanaStandIn = '[Service]\nExecStart=/bin/true\n';
      const written = [...userData.matchAll(/^cat > \/etc\/systemd\/system\/([a-z-]+\.service)(\.d\/[^ ]+)? <<'TODOBOX_EOF'$/gm)];
      const services = [...new Set(written.map((match) => match[1]))];
      expect(services).toEqual(expect.arrayContaining(['prometheus-alertmanager.service', 'grafana-server.service', 'prometheus-mysqld-exporter.service']));
      for (const service of services) {
        const own = written.find((match) => match[1] === service && match[2] === undefined);
        const base = own ? fileWrittenBy(userData, `/etc/systemd/system/${service}`) : service === 'grafana-server.service' ? grafanaStandIn : readFileSync(`${PACKAGED_UNITS}/${service}`, 'utf8');
        writeFileSync(path.join(directory, service), here(base));
        spawnSync('mkdir', ['-p', path.join(directory, `${service}.d`)]);
        for (const match of written.filter((candidate) => candidate[1] === service && candidate[2] !== undefined)) {
          writeFileSync(path.join(directory, `${service}${match[2]}`), here(fileWrittenBy(userData, `/etc/systemd/system/${service}${match[2]}`)));
        }
        const result = spawnSync('systemd-analyze', ['verify', `./${service}`], { cwd: directory, encoding: 'utf8', env: { ...process.env, SYSTEMD_UNIT_PATH: `${directory}:` } });
        expect({ service, status: result.status, stderr: result.stderr }).toEqual({ service, status: 0, stderr: '' });
      }
    });
  },
);

describeWithService('shellcheck (apt package shellcheck)', spawnSync('sh', ['-c', 'command -v shellcheck']).status === 0, "the monitoring host's boot script", () => {
  it('passes shellcheck, the secrets writer it installs too', () => {
    const userData = userDataOf(prod);
    for (const script of [userData, fileWrittenBy(userData, SECRETS_WRITER)]) {
      const result = spawnSync('shellcheck', ['--shell=bash', '-'], { input: script, encoding: 'utf8' });
      expect({ status: result.status, findings: result.stdout }).toEqual({ status: 0, findings: '' });
    }
  });
});
