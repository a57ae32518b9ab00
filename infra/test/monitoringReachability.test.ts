import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { BASE_AWS_CONFIG, MOCK_SECRET_PREFIX, loadAwsProgram, type AwsProgramRun } from '../aws/test/awsProgram';
import { plainInput, type MockResource } from './mockEngine';
import { describeWithService } from '../../app/test/helpers/requiredService';

const T = {
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  subnet: 'aws:ec2/subnet:Subnet',
  instance: 'aws:ec2/instance:Instance',
  autoScalingGroup: 'aws:autoscaling/group:Group',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  dbInstance: 'aws:rds/instance:Instance',
  dbSubnetGroup: 'aws:rds/subnetGroup:SubnetGroup',
  replicationGroup: 'aws:elasticache/replicationGroup:ReplicationGroup',
  cacheSubnetGroup: 'aws:elasticache/subnetGroup:SubnetGroup',
  bucketObject: 'aws:s3/bucketObjectv2:BucketObjectv2',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
};

/** Receiver secrets a stack keeps in its encrypted config: none may reach a boot script. */
const ALERTING_CONFIG = {
  alertPagerDutyRoutingKey: 'pdRoutingKey0123456789abcdef0123',
  alertSlackWebhookUrl: 'https://hooks.slack.com/services/T0000/B0000/alertsWebhookSecret',
  alertSlackTicketsWebhookUrl: 'https://hooks.slack.com/services/T0000/B0001/ticketsWebhookSecret',
  alertWatchdogUrl: 'https://hc-ping.com/0a1b2c3d-watchdog-secret',
};
/** What must never be reachable from the internet: the app's metrics, the exporters, the database, Redis, Prometheus, Alertmanager, Grafana. */
const PRIVATE_PORTS = [9464, 9100, 3306, 6379, 9090, 9093, 3000, 9104, 9115, 9121];
const ANYWHERE = ['0.0.0.0/0', '::/0'];
/** AWS refuses user data over 16 KB (before base64). */
const USER_DATA_LIMIT_BYTES = 16 * 1024;

type Rule = { protocol: string; fromPort: number; toPort: number; cidrBlocks?: string[]; ipv6CidrBlocks?: string[]; securityGroups?: string[] };
interface ScrapeJob {
  job_name: string;
  params?: Record<string, string[]>;
  ec2_sd_configs?: Array<{ region: string; port: number; filters: Array<{ name: string; values: string[] }> }>;
  static_configs?: Array<{ targets: string[]; labels?: Record<string, string> }>;
  relabel_configs?: Array<Record<string, unknown>>;
}
/** A place a scrape ends up connecting to over the VPC: the security groups and subnets of what answers, on a port. */
interface NetworkTarget {
  what: string;
  port: number;
  securityGroupIds: string[];
  subnetCidrs: string[];
}

const ofType = (run: AwsProgramRun, type: string) => run.resources.filter((resource) => resource.type === type);
const idOf = (resource: MockResource) => `${resource.name}-id`;
const byId = (run: AwsProgramRun, type: string, id: string): MockResource => {
  const found = ofType(run, type).find((resource) => idOf(resource) === id);
  if (!found) throw new Error(`no ${type} with id ${id}`);
  return found;
};
const named = (run: AwsProgramRun, type: string, suffix: string): MockResource => {
  const found = ofType(run, type).filter((resource) => resource.name.endsWith(suffix));
  expect(found.map((resource) => resource.name)).toHaveLength(1);
  return found[0];
};
const subnetCidrs = (run: AwsProgramRun, subnetIds: string[]) => subnetIds.map((id) => byId(run, T.subnet, id).inputs.cidrBlock as string);

function ipv4(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}
/** True when the network `outer` holds every address of `inner`. */
function cidrContains(outer: string, inner: string): boolean {
  const [outerBase, outerBits] = outer.split('/');
  const [innerBase, innerBits] = inner.split('/');
  if (outer.includes(':') || inner.includes(':') || Number(innerBits) < Number(outerBits)) return false;
  const size = 2 ** (32 - Number(outerBits));
  return Math.floor(ipv4(outerBase) / size) === Math.floor(ipv4(innerBase) / size);
}
const coversPort = (rule: Rule, port: number) => (rule.protocol === '-1' || rule.protocol === 'tcp') && rule.fromPort <= port && port <= rule.toPort;

const monitoringFile = (run: AwsProgramRun, destination: string): string => {
  const object = ofType(run, T.bucketObject).find((candidate) => candidate.inputs.key === `config${destination}`);
  if (!object) throw new Error(`the monitoring bucket holds no ${destination}`);
  return object.inputs.content as string;
};
const prometheusConfig = (run: AwsProgramRun) => parse(monitoringFile(run, '/etc/prometheus/prometheus.yml')) as { scrape_configs: ScrapeJob[] };
const monitoringHost = (run: AwsProgramRun) => named(run, T.instance, '-monitoring');
const monitoringUserData = (run: AwsProgramRun) => plainInput<string>(monitoringHost(run).inputs.userData);
const appUserData = (run: AwsProgramRun) => Buffer.from(plainInput<string>(ofType(run, T.launchTemplate)[0].inputs.userData), 'base64').toString('utf8');
const monitoringSecretFiles = (run: AwsProgramRun): Record<string, string> =>
  JSON.parse(plainInput<string>(named(run, T.secretVersion, '-monitoring-secrets-version').inputs.secretString));

/** The app servers an ec2_sd filter selects: the auto scaling groups whose instances carry the filtered tags. */
function appServerTargets(run: AwsProgramRun, job: ScrapeJob): NetworkTarget[] {
  return (job.ec2_sd_configs ?? []).map((discovery) => {
    const tagFilters = discovery.filters.filter((filter) => filter.name.startsWith('tag:'));
    expect(tagFilters.length).toBeGreaterThan(0);
    const groups = ofType(run, T.autoScalingGroup).filter((group) =>
      tagFilters.every((filter) =>
        (group.inputs.tags as Array<{ key: string; value: string; propagateAtLaunch: boolean }>).some(
          (tag) => `tag:${tag.key}` === filter.name && filter.values.includes(tag.value) && tag.propagateAtLaunch,
        ),
      ),
    );
    expect({ job: job.job_name, groups: groups.length }).toEqual({ job: job.job_name, groups: 1 });
    const template = byId(run, T.launchTemplate, groups[0].inputs.launchTemplate.id);
    return {
      what: `${job.job_name} on the app servers`,
      port: discovery.port,
      securityGroupIds: template.inputs.networkInterfaces.flatMap((networkInterface: { securityGroups: string[] }) => networkInterface.securityGroups),
      subnetCidrs: subnetCidrs(run, groups[0].inputs.vpcZoneIdentifiers),
    };
  });
}

/** Where an exporter on the monitoring host connects, read from the credentials it is given. */
function exporterUpstream(run: AwsProgramRun, job: string): NetworkTarget | undefined {
  const files = monitoringSecretFiles(run);
  if (job === 'mysqld') {
    const cnf = files['mysqld-exporter.cnf'];
    const host = /^host=(.+)$/m.exec(cnf)?.[1] ?? '';
    const port = Number(/^port=(\d+)$/m.exec(cnf)?.[1]);
    const database = ofType(run, T.dbInstance).find((candidate) => host.startsWith(`${candidate.name}.`));
    if (!database) throw new Error(`mysqld_exporter connects to ${host}, which is no database of the stack`);
    const subnetGroup = ofType(run, T.dbSubnetGroup).find((group) => group.name === database.inputs.dbSubnetGroupName);
    return { what: 'mysqld_exporter to RDS', port, securityGroupIds: database.inputs.vpcSecurityGroupIds, subnetCidrs: subnetCidrs(run, subnetGroup?.inputs.subnetIds ?? []) };
  }
  if (job === 'redis') {
    const [, host, port] = /^REDIS_ADDR=rediss:\/\/([^:]+):(\d+)$/m.exec(files['redis-exporter.env']) ?? [];
    const cache = ofType(run, T.replicationGroup).find((candidate) => host?.includes(`.${candidate.name}.`));
    if (!cache) throw new Error(`redis_exporter connects to ${host}, which is no Redis of the stack`);
    const subnetGroup = ofType(run, T.cacheSubnetGroup).find((group) => group.name === cache.inputs.subnetGroupName);
    return { what: 'redis_exporter to ElastiCache', port: Number(port), securityGroupIds: cache.inputs.securityGroupIds, subnetCidrs: subnetCidrs(run, subnetGroup?.inputs.subnetIds ?? []) };
  }
  return undefined;
}

/** Every place the shipped AWS configuration makes the monitoring host connect to inside the VPC. */
function networkTargets(run: AwsProgramRun): NetworkTarget[] {
  return prometheusConfig(run).scrape_configs.flatMap((job) => {
    const staticTargets = (job.static_configs ?? []).flatMap((config) => config.targets);
    const loopback = staticTargets.filter((target) => target.startsWith('127.0.0.1:'));
    const upstream = loopback.length > 0 ? exporterUpstream(run, job.job_name) : undefined;
    return [...appServerTargets(run, job), ...(upstream ? [upstream] : [])];
  });
}

/** A path exists when the monitoring group may send to the target's subnets and the target's group admits the monitoring group, on the port. */
function pathProblems(run: AwsProgramRun, target: NetworkTarget): string[] {
  const [monitoringGroupId] = monitoringHost(run).inputs.vpcSecurityGroupIds as string[];
  const monitoringGroup = byId(run, T.securityGroup, monitoringGroupId);
  const problems: string[] = [];
  for (const cidr of target.subnetCidrs) {
    const egress = ((monitoringGroup.inputs.egress ?? []) as Rule[]).some(
      (rule) => coversPort(rule, target.port) && ((rule.cidrBlocks ?? []).some((block) => cidrContains(block, cidr)) || target.securityGroupIds.some((id) => rule.securityGroups?.includes(id))),
    );
    if (!egress) problems.push(`${target.what}: the monitoring group sends nothing to ${cidr} on ${target.port}`);
  }
  const admitted = target.securityGroupIds.some((id) =>
    ((byId(run, T.securityGroup, id).inputs.ingress ?? []) as Rule[]).some((rule) => coversPort(rule, target.port) && rule.securityGroups?.includes(monitoringGroupId)),
  );
  if (!admitted) problems.push(`${target.what}: no group of the target admits the monitoring group on ${target.port}`);
  return problems;
}

let prod: AwsProgramRun;
let staging: AwsProgramRun;
let cloudFront: AwsProgramRun;

beforeAll(async () => {
  prod = await loadAwsProgram({ ...BASE_AWS_CONFIG, ...ALERTING_CONFIG }, 'prod');
  staging = await loadAwsProgram({ ...BASE_AWS_CONFIG, environment: 'staging', enableCloudWatchAgent: 'false' }, 'staging');
  cloudFront = await loadAwsProgram({ ...BASE_AWS_CONFIG, enableCloudFront: 'true' }, 'prod');
}, 90000);

describe('the AWS Prometheus configuration', () => {
  it('scrapes the app, node_exporter, the database and Redis exporters, the public probe, Alertmanager and itself', () => {
    expect(prometheusConfig(prod).scrape_configs.map((job) => job.job_name).sort()).toEqual(
      ['alertmanager', 'blackbox', 'mysqld', 'node', 'prometheus', 'redis', 'todobox'].sort(),
    );
  });

  it('scrapes every job the shipped rules select, but postgres (the AWS stack runs MySQL) and nginx (its edge is the load balancer, watched by CloudWatch)', () => {
    const rules = readdirSync(path.resolve(__dirname, '../../monitoring/prometheus/rules')).filter((file) => file.endsWith('.yml')).map((file) => readFileSync(path.resolve(__dirname, '../../monitoring/prometheus/rules', file), 'utf8')).join('\n');
    const selected = new Set([...rules.matchAll(/job="([a-z_]+)"/g)].map((match) => match[1]));
    const scraped = prometheusConfig(prod).scrape_configs.map((job) => job.job_name);
    expect([...selected].filter((job) => !scraped.includes(job)).sort()).toEqual(['nginx', 'postgres']);
  });

  it("discovers this stack's app servers only, in its region, on the metrics and node_exporter ports", () => {
    const jobs = Object.fromEntries(prometheusConfig(staging).scrape_configs.map((job) => [job.job_name, job]));
    for (const [job, port] of [['todobox', 9464], ['node', 9100]] as const) {
      expect(jobs[job].ec2_sd_configs).toEqual([
        expect.objectContaining({ region: 'us-east-1', port, filters: expect.arrayContaining([{ name: 'tag:Name', values: ['todobox-staging-app'] }]) }),
      ]);
    }
  });

  it('labels every target with its environment: app servers from their Environment tag, the rest statically', () => {
    for (const [run, environment] of [[prod, 'prod'], [staging, 'staging']] as const) {
      for (const job of prometheusConfig(run).scrape_configs) {
        for (const config of job.static_configs ?? []) expect({ job: job.job_name, env: config.labels?.env }).toEqual({ job: job.job_name, env: environment });
        if (job.ec2_sd_configs) {
          expect(job.relabel_configs).toContainEqual(expect.objectContaining({ source_labels: ['__meta_ec2_tag_Environment'], target_label: 'env', regex: '(.+)' }));
        }
      }
    }
    const tags = ofType(prod, T.autoScalingGroup)[0].inputs.tags as Array<{ key: string; value: string }>;
    expect(tags).toContainEqual(expect.objectContaining({ key: 'Environment', value: 'prod', propagateAtLaunch: true }));
  });

  it('probes the public URL with the http_2xx module, through CloudFront when it is in front', async () => {
    for (const run of [prod, cloudFront]) {
      const blackbox = prometheusConfig(run).scrape_configs.find((job) => job.job_name === 'blackbox');
      const url = (await run.resolve<string>(run.outputs.url)).value;
      expect(blackbox?.static_configs?.[0].targets).toEqual([`${url}/healthz`]);
      expect(blackbox?.params).toEqual({ module: ['http_2xx'] });
    }
    expect(parse(monitoringFile(prod, '/etc/prometheus/blackbox.yml')).modules.http_2xx.prober).toBe('http');
  });
});

describe('reachability from the monitoring host', () => {
  it('has a security group path to every target of every scrape job, with or without CloudFront', () => {
    for (const run of [prod, staging, cloudFront]) {
      const targets = networkTargets(run);
      expect(targets.map((target) => `${target.what}:${target.port}`).sort()).toEqual(
        ['mysqld_exporter to RDS:3306', 'node on the app servers:9100', 'redis_exporter to ElastiCache:6379', 'todobox on the app servers:9464'],
      );
      expect(targets.flatMap((target) => pathProblems(run, target))).toEqual([]);
    }
  });

  it('would find no path when the database stopped admitting the monitoring group', () => {
    const database = ofType(prod, T.dbInstance)[0];
    const target = exporterUpstream(prod, 'mysqld');
    const withoutMonitoring = {
      ...prod,
      resources: prod.resources.map((resource) =>
        database.inputs.vpcSecurityGroupIds.includes(idOf(resource))
          ? { ...resource, inputs: { ...resource.inputs, ingress: (resource.inputs.ingress as Rule[]).filter((rule) => !rule.securityGroups?.includes(monitoringHost(prod).inputs.vpcSecurityGroupIds[0])) } }
          : resource,
      ),
    };
    expect(pathProblems(withoutMonitoring, target as NetworkTarget)).toEqual([expect.stringContaining('no group of the target admits the monitoring group on 3306')]);
  });

  it('reaches the internet on 443 only through NAT, for packages, AWS APIs, the receivers and the public probe', () => {
    const [groupId] = monitoringHost(prod).inputs.vpcSecurityGroupIds;
    const egress = byId(prod, T.securityGroup, groupId).inputs.egress as Rule[];
    expect(egress.filter((rule) => rule.cidrBlocks?.includes('0.0.0.0/0')).map((rule) => rule.fromPort).sort()).toEqual([443, 80]);
    const subnet = byId(prod, T.subnet, monitoringHost(prod).inputs.subnetId);
    expect(subnet.inputs.tags.Tier).toBe('app');
    expect(monitoringHost(prod).inputs.associatePublicIpAddress).toBe(false);
  });
});

describe('nothing public', () => {
  it('reaches the metrics, exporter, database, Redis, Prometheus, Alertmanager or Grafana ports from 0.0.0.0/0 or ::/0', () => {
    for (const run of [prod, staging, cloudFront]) {
      const open = ofType(run, T.securityGroup).flatMap((group) =>
        ((group.inputs.ingress ?? []) as Rule[])
          .filter((rule) => [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some((cidr) => ANYWHERE.includes(cidr)))
          .flatMap((rule) => PRIVATE_PORTS.filter((port) => coversPort(rule, port)).map((port) => `${group.name}:${port}`)),
      );
      expect(open).toEqual([]);
    }
  });

  it('reaches the monitoring host at all: its group admits nothing, and every service listens on loopback', () => {
    const [groupId] = monitoringHost(prod).inputs.vpcSecurityGroupIds;
    expect(byId(prod, T.securityGroup, groupId).inputs.ingress ?? []).toEqual([]);
    const userData = monitoringUserData(prod);
    for (const port of [9090, 9093, 9100, 9104, 9115, 9121]) expect(userData).toContain(`--web.listen-address=127.0.0.1:${port}`);
    expect(userData).toContain('GF_SERVER_HTTP_ADDR=127.0.0.1 GF_SERVER_HTTP_PORT=3000');
    expect(userData).toContain('--cluster.listen-address=');
  });
});

describe('the boot scripts', () => {
  it('stay under the 16 KB AWS takes, the kit\'s files coming from the stack\'s bucket instead', () => {
    for (const run of [prod, staging, cloudFront]) {
      for (const userData of [monitoringUserData(run), appUserData(run)]) expect(Buffer.byteLength(userData)).toBeLessThan(USER_DATA_LIMIT_BYTES);
    }
    expect(ofType(prod, T.bucketObject).map((object) => object.inputs.key)).toEqual(
      expect.arrayContaining(['config/etc/prometheus/rules/alerts.yml', 'config/etc/prometheus/alertmanager.yml', 'config/etc/grafana/dashboards/slo.json']),
    );
  });

  it("wait for the dpkg lock Ubuntu's first-boot apt-daily may hold, instead of failing the boot", () => {
    for (const run of [prod, staging]) {
      for (const userData of [monitoringUserData(run), appUserData(run)]) {
        const aptCalls = userData.match(/^.*\bapt-get\b.*$/gm) ?? [];
        expect(aptCalls.length).toBeGreaterThanOrEqual(2);
        for (const call of aptCalls) expect(call).toMatch(/^apt-get -o DPkg::Lock::Timeout=600 (update$|install )/);
        expect(userData).not.toMatch(/^\s*dpkg -i/m);
      }
    }
  });

  it('hold no secret: generated passwords and receiver URLs reach the host through Secrets Manager only', () => {
    const files = monitoringSecretFiles(prod);
    expect(files).toMatchObject({
      'pagerduty-routing-key': ALERTING_CONFIG.alertPagerDutyRoutingKey,
      'slack-webhook-url': ALERTING_CONFIG.alertSlackWebhookUrl,
      'slack-tickets-webhook-url': ALERTING_CONFIG.alertSlackTicketsWebhookUrl,
      'watchdog-url': ALERTING_CONFIG.alertWatchdogUrl,
    });
    expect(files['mysqld-exporter.cnf']).toContain(`password=${MOCK_SECRET_PREFIX}`);
    const boot = [monitoringUserData(prod), appUserData(prod), ...ofType(prod, T.bucketObject).map((object) => object.inputs.content as string)];
    for (const text of boot) {
      expect(text).not.toContain(MOCK_SECRET_PREFIX);
      for (const value of Object.values(ALERTING_CONFIG)) expect(text).not.toContain(value);
    }
  });

  it('parse as bash, and replace the monitoring host, keeping its data volume, when a shipped file changes', async () => {
    for (const userData of [monitoringUserData(prod), appUserData(prod)]) {
      expect(() => execFileSync('bash', ['-n'], { input: userData, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
    }
    expect(monitoringHost(prod).inputs.userDataReplaceOnChange).toBe(true);
    // The data volume moves to the new host: the old one stops and lets go of it first.
    const attachment = named(prod, 'aws:ec2/volumeAttachment:VolumeAttachment', '-monitoring-data-attachment');
    expect(attachment.inputs).toMatchObject({ instanceId: idOf(monitoringHost(prod)), volumeId: 'todobox-prod-monitoring-data-id', stopInstanceBeforeDetaching: true });
    expect([monitoringHost(prod).deleteBeforeReplace, attachment.deleteBeforeReplace]).toEqual([true, true]);
    expect(named(prod, 'aws:ebs/volume:Volume', '-monitoring-data').inputs).toMatchObject({ encrypted: true, type: 'gp3', size: 20 });
    expect(monitoringUserData(prod)).toMatch(/^# Monitoring files [0-9a-f]{64}$/m);
    const changed = await loadAwsProgram({ ...BASE_AWS_CONFIG, domain: 'tasks.example.com' }, 'prod');
    const digest = (run: AwsProgramRun) => /^# Monitoring files ([0-9a-f]{64})$/m.exec(monitoringUserData(run))?.[1];
    expect(digest(changed)).not.toBe(digest(prod));
  });
});

function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

describeWithService('promtool (apt package prometheus)', promtoolAvailable(), 'the rendered AWS Prometheus configuration', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'todobox-aws-prometheus-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('passes promtool check config beside the kit\'s rules', () => {
    cpSync(path.resolve(__dirname, '../../monitoring/prometheus/rules'), path.join(workDir, 'rules'), { recursive: true });
    writeFileSync(path.join(workDir, 'prometheus.yml'), monitoringFile(prod, '/etc/prometheus/prometheus.yml'));
    const result = spawnSync('promtool', ['check', 'config', path.join(workDir, 'prometheus.yml')], { encoding: 'utf8' });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});
