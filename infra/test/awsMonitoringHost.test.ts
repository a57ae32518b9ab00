import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { BASE_AWS_CONFIG, loadAwsProgram, type AwsProgramRun } from '../aws/test/awsProgram';
import { plainInput } from './mockEngine';
import { prometheusVolumeSizeGb } from '../aws/src/monitoringStorage';
import type { MockResource } from './mockEngine';

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
