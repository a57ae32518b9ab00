import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_DB_POOL_MAX, DEFAULT_PORT } from '../../../app/src/environment';
import { isIpv4Network } from './cidr';
import { prometheusVolumeSizeGb } from './monitoringStorage';

export type Environment = 'prod' | 'staging';

/**
 * Where the app servers' image comes from: an AMI id, or an SSM parameter the operator updates. Never a
 * search for the newest image, which would roll the fleet whenever one is published.
 */
export type AmiSource = { amiId: string } | { ssmParameter: string };

/** Who creates the database users with the master credentials: each server at boot, or an operator once. */
export type DatabaseBootstrap = 'instances' | 'manual';
const DATABASE_BOOTSTRAPS: DatabaseBootstrap[] = ['instances', 'manual'];

/** Every setting of the stack, validated once; see README.md for each key. */
export interface StackConfig {
  stack: string;
  /** The default provider's region (`aws:region`). */
  region: string;
  environment: Environment;
  isProduction: boolean;
  domain: string;
  hostedZoneId?: string;
  hostedZoneName?: string;
  vpcCidr: string;
  azCount: number;
  singleNatGateway: boolean;
  instanceType: string;
  instanceArchitecture: 'x86_64' | 'arm64';
  ami: AmiSource;
  rootVolumeSizeGb: number;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  webConcurrency: number;
  appVersion: string;
  artifactBucket: string;
  artifactKey: string;
  nodeMajor: number;
  /** An exact release of nodeMajor; without it each server installs the newest release of the line. */
  nodeVersion?: string;
  enableCloudWatchAgent: boolean;
  /** Days CloudWatch Logs keeps the servers' log groups (one of the values CloudWatch accepts). */
  cloudWatchLogRetentionDays: number;
  /** The monitoring host: Prometheus, Alertmanager, Grafana and the exporters (same architecture as instanceType). */
  monitoringInstanceType: string;
  /** GiB of the monitoring host's data volume, which keeps PROMETHEUS_RETENTION_DAYS of samples. */
  monitoringVolumeSizeGb: number;
  /** Where Alertmanager's receivers send, kept in the stack's encrypted config (`pulumi config set --secret`). */
  alertingSecrets: AlertingSecrets;
  dbInstanceClass: string;
  /** `8.4` (RDS picks the minor release and upgrades it) or an exact `8.4.x`. */
  dbEngineVersion: string;
  /** The major version, which names the parameter group family (`mysql8.4`). */
  dbEngineMajor: string;
  /** Only a stack that names its version moves to a new major; a new default never upgrades one. */
  dbAllowMajorVersionUpgrade: boolean;
  dbAllocatedStorage: number;
  dbMaxAllocatedStorage: number;
  dbMultiAz: boolean;
  dbBackupRetentionDays: number;
  /** Where AWS Backup copies the weekly and monthly snapshots: another region than the stack's. */
  backupCopyRegion: string;
  databaseBootstrap: DatabaseBootstrap;
  cacheNodeType: string;
  cacheNodes: number;
  enableCloudFront: boolean;
  alarmEmail?: string;
  /** Days the log bucket keeps load balancer access logs and VPC flow logs. */
  logRetentionDays: number;
  /** Networks the WAF lets through before any other rule: the load generators. */
  wafAllowedCidrs: string[];
}

/**
 * The secret files monitoring/alertmanager/alertmanager.yml reads under /etc/prometheus/secrets, by the stack
 * config key that holds each.
 */
export const ALERTING_SECRET_KEYS = {
  alertPagerDutyRoutingKey: 'pagerduty-routing-key',
  alertSlackWebhookUrl: 'slack-webhook-url',
  alertSlackTicketsWebhookUrl: 'slack-tickets-webhook-url',
  alertWatchdogUrl: 'watchdog-url',
} as const;
export type AlertingSecrets = Partial<Record<keyof typeof ALERTING_SECRET_KEYS, pulumi.Output<string>>>;

/** The retention periods CloudWatch Logs accepts. */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const APP_PORT = DEFAULT_PORT;

/** The database connections the app may hold at most: every server the group may run, each worker's pool full. */
export function databaseConnectionBudget(config: Pick<StackConfig, 'maxSize' | 'webConcurrency'>): number {
  return config.maxSize * config.webConcurrency * DEFAULT_DB_POOL_MAX;
}
export const METRICS_PORT = 9464;
export const NODE_EXPORTER_PORT = 9100;
export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;
export const HEALTH_CHECK_PATH = '/healthz';
/** The app's SHUTDOWN_TIMEOUT_SECONDS: the load balancer must keep draining longer than the app does. */
export const SHUTDOWN_TIMEOUT_SECONDS = 25;
export const DEREGISTRATION_DELAY_SECONDS = SHUTDOWN_TIMEOUT_SECONDS + 5;
export const MIN_BACKUP_RETENTION_DAYS = 7;
export const DB_NAME = 'todobox';
/** The master user; RDS keeps its password in a secret of its own, which only `todobox db:bootstrap` reads. */
export const DB_USERNAME = 'todobox';
/** The user the app connects as, created by `todobox db:bootstrap` with rights on the app's database only. */
export const DB_APP_USERNAME = 'todobox_app';
/** The metrics exporter's user, created by the same command. */
export const DB_EXPORTER_USERNAME = 'todobox_exporter';
/** Node.js 20 and older have left support; the even majors are the long-term support lines. */
const OLDEST_SUPPORTED_NODE_MAJOR = 22;
/** MySQL majors in RDS standard support. */
const MYSQL_STANDARD_SUPPORT_MAJORS = ['8.4'];
/**
 * Majors still accepted, with a warning, so a stack made on one is upgraded when its operator chooses: the day
 * RDS standard support ends, after which RDS bills Extended Support.
 */
const MYSQL_ENDING_SUPPORT_MAJORS: Record<string, string> = { '8.0': '2026-07-31' };

export class StackConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid stack configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'StackConfigError';
  }
}

const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** The copy region when the stack names none: the other side of the United States, or us-east-1. */
function defaultCopyRegion(region: string): string {
  return region === 'us-west-2' ? 'us-east-1' : 'us-west-2';
}
const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GRAVITON_INSTANCE = /^[a-z]+\d+g[a-z]*\./;
const AMI_ID_PATTERN = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_PARAMETER_PATTERN = /^[A-Za-z0-9_.\-/]{1,2048}$/;
/** AWS's public parameters (Canonical's "current" image among them) move with every release. */
const AWS_PUBLIC_PARAMETERS = '/aws/service/';

function architectureOf(instanceType: string): 'x86_64' | 'arm64' {
  return GRAVITON_INSTANCE.test(instanceType) ? 'arm64' : 'x86_64';
}

function amiSource(amiId: string | undefined, ssmParameter: string | undefined, problems: string[]): AmiSource {
  if (amiId !== undefined && ssmParameter !== undefined) problems.push('set amiId or amiSsmParameter, not both');
  if (ssmParameter !== undefined) {
    if (!SSM_PARAMETER_PATTERN.test(ssmParameter)) problems.push(`amiSsmParameter "${ssmParameter}" is not an SSM parameter name`);
    if (ssmParameter.startsWith(AWS_PUBLIC_PARAMETERS)) {
      problems.push(
        `amiSsmParameter "${ssmParameter}" is published by AWS and changes with every new image, rolling the fleet; ` +
          'set amiId to its current value, or keep the AMI id in a parameter of your own',
      );
    }
    return { ssmParameter };
  }
  if (amiId === undefined) {
    problems.push('amiId or amiSsmParameter is required: the AMI of the app servers, pinned (see README.md)');
  } else if (!AMI_ID_PATTERN.test(amiId)) {
    problems.push(`amiId "${amiId}" is not an AMI id such as ami-0abcdef1234567890`);
  }
  return { amiId: amiId ?? '' };
}

/** Reads `todobox-aws:*` keys; every problem is reported at once so one `pulumi up` shows them all. */
export function loadStackConfig(): StackConfig {
  const config = new pulumi.Config();
  const problems: string[] = [];
  const stack = pulumi.getStack();

  const text = (key: string, fallback: string): string => config.get(key) ?? fallback;
  const required = (key: string): string => {
    const value = config.get(key);
    if (value === undefined || value.trim() === '') {
      problems.push(`${key} is required`);
      return '';
    }
    return value.trim();
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const raw = config.get(key);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const raw = config.get(key);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      problems.push(`${key} must be true or false (got "${raw}")`);
      return fallback;
    }
    return raw === 'true';
  };

  const region = new pulumi.Config('aws').get('region') ?? '';
  if (region === '') problems.push('aws:region is required');

  const environment = text('environment', 'prod');
  if (environment !== 'prod' && environment !== 'staging') {
    problems.push(`environment must be prod or staging (got "${environment}")`);
  }

  const domain = required('domain').toLowerCase();
  if (domain !== '' && !DOMAIN_PATTERN.test(domain)) problems.push(`domain "${domain}" is not a valid DNS name`);
  const hostedZoneId = config.get('hostedZoneId');
  const hostedZoneName = hostedZoneId === undefined ? text('hostedZoneName', domain.split('.').slice(1).join('.')) : undefined;

  const vpcCidr = text('vpcCidr', '10.0.0.0/16');
  const cidr = CIDR_PATTERN.exec(vpcCidr);
  if (!cidr || cidr.slice(1, 5).some((octet) => Number(octet) > 255) || Number(cidr[5]) < 16 || Number(cidr[5]) > 24) {
    problems.push(`vpcCidr must be an IPv4 CIDR block from /16 to /24 (got "${vpcCidr}")`);
  }

  const minSize = integer('minSize', 2, 1, 100);
  const maxSize = integer('maxSize', 4, 1, 100);
  const desiredCapacity = integer('desiredCapacity', minSize, 1, 100);
  if (minSize > desiredCapacity || desiredCapacity > maxSize) {
    problems.push(`minSize (${minSize}) <= desiredCapacity (${desiredCapacity}) <= maxSize (${maxSize}) must hold`);
  }

  const dbBackupRetentionDays = integer('dbBackupRetentionDays', MIN_BACKUP_RETENTION_DAYS, 0, 35);
  if (dbBackupRetentionDays < MIN_BACKUP_RETENTION_DAYS) {
    problems.push(`dbBackupRetentionDays must be at least ${MIN_BACKUP_RETENTION_DAYS} (got ${dbBackupRetentionDays})`);
  }
  const backupCopyRegion = text('backupCopyRegion', defaultCopyRegion(region));
  if (!REGION_PATTERN.test(backupCopyRegion)) {
    problems.push(`backupCopyRegion must be an AWS region such as us-west-2 (got "${backupCopyRegion}")`);
  } else if (backupCopyRegion === region) {
    problems.push(`backupCopyRegion must differ from aws:region (${region}): a copy in the same region is lost with it`);
  }
  const dbAllocatedStorage = integer('dbAllocatedStorage', 20, 20, 65536);
  const dbMaxAllocatedStorage = integer('dbMaxAllocatedStorage', Math.max(100, dbAllocatedStorage), 20, 65536);
  if (dbMaxAllocatedStorage < dbAllocatedStorage) {
    problems.push(`dbMaxAllocatedStorage (${dbMaxAllocatedStorage}) must not be below dbAllocatedStorage (${dbAllocatedStorage})`);
  }

  const nodeMajor = integer('nodeMajor', 24, OLDEST_SUPPORTED_NODE_MAJOR, 98);
  if (nodeMajor % 2 !== 0) problems.push(`nodeMajor must be a long-term support line of Node.js, an even major (got ${nodeMajor})`);
  const nodeVersion = config.get('nodeVersion');
  if (nodeVersion !== undefined && !new RegExp(`^${nodeMajor}\\.\\d+\\.\\d+$`).test(nodeVersion)) {
    problems.push(`nodeVersion must be a release of Node.js ${nodeMajor} such as ${nodeMajor}.1.0 (got "${nodeVersion}")`);
  }

  const dbEngineVersion = text('dbEngineVersion', '8.4');
  const dbEngineMajor = /^\d+\.\d+/.exec(dbEngineVersion)?.[0] ?? '';
  const acceptedMajors = [...MYSQL_STANDARD_SUPPORT_MAJORS, ...Object.keys(MYSQL_ENDING_SUPPORT_MAJORS)];
  if (!/^\d+\.\d+(\.\d+)?$/.test(dbEngineVersion) || !acceptedMajors.includes(dbEngineMajor)) {
    problems.push(
      `dbEngineVersion must be a MySQL version RDS supports (${acceptedMajors.join(', ')}, or one of their minor releases; got "${dbEngineVersion}")`,
    );
  } else if (dbEngineMajor in MYSQL_ENDING_SUPPORT_MAJORS) {
    pulumi.log.warn(
      `MySQL ${dbEngineMajor} leaves RDS standard support on ${MYSQL_ENDING_SUPPORT_MAJORS[dbEngineMajor]}, after which RDS bills Extended Support: ` +
        `upgrade with pulumi config set dbEngineVersion ${MYSQL_STANDARD_SUPPORT_MAJORS[0]} (take a snapshot first).`,
    );
  }

  // An operator by default: a server that could read the master secret would hand an intruder the whole database.
  const databaseBootstrap = text('databaseBootstrap', 'manual');
  if (!DATABASE_BOOTSTRAPS.includes(databaseBootstrap as DatabaseBootstrap)) {
    problems.push(`databaseBootstrap must be ${DATABASE_BOOTSTRAPS.join(' or ')} (got "${databaseBootstrap}")`);
  }

  const appVersion = required('appVersion');
  const artifactBucket = required('artifactBucket');
  const instanceType = text('instanceType', 't3.small');
  const instanceArchitecture = architectureOf(instanceType);
  // The monitoring host boots the same image as the app servers, so it must share their architecture.
  const monitoringInstanceType = text('monitoringInstanceType', instanceArchitecture === 'arm64' ? 't4g.small' : 't3.small');
  if (architectureOf(monitoringInstanceType) !== instanceArchitecture) {
    problems.push(
      `monitoringInstanceType ${monitoringInstanceType} must have the architecture of instanceType ${instanceType} (${instanceArchitecture}): both boot amiId`,
    );
  }
  const cloudWatchLogRetentionDays = integer('cloudWatchLogRetentionDays', 30, 1, 3653);
  if (!CLOUDWATCH_RETENTION_DAYS.includes(cloudWatchLogRetentionDays)) {
    problems.push(`cloudWatchLogRetentionDays must be one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')} (got ${cloudWatchLogRetentionDays})`);
  }

  const alarmEmail = config.get('alarmEmail');
  if (alarmEmail !== undefined && !EMAIL_PATTERN.test(alarmEmail)) problems.push(`alarmEmail "${alarmEmail}" is not an email address`);

  const wafAllowedCidrs = text('wafAllowedCidrs', '').split(',').map((cidr) => cidr.trim()).filter((cidr) => cidr !== '');
  const notNetworks = wafAllowedCidrs.filter((cidr) => !isIpv4Network(cidr));
  if (notNetworks.length > 0) {
    problems.push(`wafAllowedCidrs must be IPv4 networks such as 203.0.113.0/24, comma-separated (not ${notNetworks.join(', ')})`);
  }

  const result: StackConfig = {
    stack,
    region,
    environment: environment as Environment,
    isProduction: environment === 'prod',
    domain,
    hostedZoneId,
    hostedZoneName,
    vpcCidr,
    azCount: integer('azCount', 2, 2, 4),
    singleNatGateway: flag('singleNatGateway', false),
    instanceType,
    instanceArchitecture,
    ami: amiSource(config.get('amiId'), config.get('amiSsmParameter'), problems),
    rootVolumeSizeGb: integer('rootVolumeSizeGb', 20, 8, 1024),
    minSize,
    maxSize,
    desiredCapacity,
    webConcurrency: integer('webConcurrency', 2, 1, 64),
    appVersion,
    artifactBucket,
    artifactKey: text('artifactKey', `todobox/${appVersion}/todobox.tar.gz`),
    nodeMajor,
    nodeVersion,
    enableCloudWatchAgent: flag('enableCloudWatchAgent', true),
    cloudWatchLogRetentionDays,
    monitoringInstanceType,
    monitoringVolumeSizeGb: integer('monitoringVolumeSizeGb', prometheusVolumeSizeGb(maxSize), 8, 16384),
    alertingSecrets: Object.fromEntries(
      Object.keys(ALERTING_SECRET_KEYS).flatMap((key) => {
        const value = config.getSecret(key);
        return value === undefined ? [] : [[key, value]];
      }),
    ),
    dbInstanceClass: text('dbInstanceClass', 'db.t4g.medium'),
    dbEngineVersion,
    dbEngineMajor,
    dbAllowMajorVersionUpgrade: config.get('dbEngineVersion') !== undefined,
    dbAllocatedStorage,
    dbMaxAllocatedStorage,
    dbMultiAz: flag('dbMultiAz', true),
    dbBackupRetentionDays,
    backupCopyRegion,
    databaseBootstrap: databaseBootstrap as DatabaseBootstrap,
    cacheNodeType: text('cacheNodeType', 'cache.t4g.micro'),
    cacheNodes: integer('cacheNodes', 2, 1, 6),
    enableCloudFront: flag('enableCloudFront', false),
    alarmEmail,
    logRetentionDays: integer('logRetentionDays', 90, 1, 3650),
    wafAllowedCidrs,
  };
  if (problems.length > 0) throw new StackConfigError(problems);
  return result;
}
