import * as pulumi from '@pulumi/pulumi';
import { createAlarmTopic, createCacheAlarms, createCertificateAlarm, createDatabaseAlarms, createLoadBalancerAlarms } from './src/alarms';
import { createAppServers } from './src/appServers';
import { createBackupBucket } from './src/backupBucket';
import { createBackupPlan } from './src/backupPlan';
import { createCache } from './src/cache';
import { createCdn } from './src/cdn';
import { createCloudFrontRegionProvider } from './src/cloudFrontRegion';
import { APP_PORT, DB_APP_USERNAME, DB_EXPORTER_USERNAME, DB_NAME, METRICS_PORT, MYSQL_PORT, REDIS_PORT, databaseConnectionBudget, loadStackConfig } from './src/config';
import { createDatabase } from './src/database';
import { createFlowLogs } from './src/flowLogs';
import { createAliasRecords, hostedZoneId } from './src/dns';
import { createLoadBalancer } from './src/loadBalancer';
import { createServerLogGroups } from './src/logGroups';
import { ALB_ACCESS_LOG_PREFIX, createLogBucket } from './src/logBucket';
import { createNaming } from './src/naming';
import { createMonitoringHost } from './src/monitoringHost';
import { createNetwork } from './src/network';
import { createS3GatewayEndpoint } from './src/s3Endpoint';
import { createAppSecret, generated, generateSecrets, storeAppEnvironment } from './src/secrets';
import { createSecurityGroups } from './src/securityGroups';
import { RDS_CA_BUNDLE } from './src/serverPaths';
import { APP_LOG_DIRECTORY } from './src/userData';
import { createCloudFrontWaf, createLoadBalancerWaf } from './src/waf';

const config = loadStackConfig();
const naming = createNaming(config);
const zoneId = hostedZoneId(config);

const network = createNetwork(config, naming);
createS3GatewayEndpoint(network, naming);
const logBucket = createLogBucket(config, naming);
createFlowLogs(network, logBucket, naming);
const securityGroups = createSecurityGroups(network, naming, { behindCloudFront: config.enableCloudFront });
const secrets = generateSecrets(naming);
// CloudFront sends the origin secret with every request; the load balancer answers 403 to any request without it.
const edge = config.enableCloudFront
  ? { originSecret: generated(naming.name('origin-secret'), 40), provider: createCloudFrontRegionProvider(naming) }
  : undefined;

// With CloudFront the load balancer answers on its own origin name; CloudFront takes the public name.
const originHostName = config.enableCloudFront ? `origin.${config.domain}` : config.domain;
const loadBalancer = createLoadBalancer(
  config,
  network,
  securityGroups,
  originHostName,
  zoneId,
  { bucket: logBucket.bucket.id, prefix: ALB_ACCESS_LOG_PREFIX, ready: logBucket.policy },
  naming,
  edge?.originSecret,
);
// Where clients connect: CloudFront when it is in front, else the load balancer.
const webAcl = edge === undefined ? createLoadBalancerWaf(config, loadBalancer.alb, naming) : createCloudFrontWaf(config, naming, edge.provider);
createAliasRecords(
  'alb',
  originHostName,
  zoneId,
  { dnsName: loadBalancer.alb.dnsName, zoneId: loadBalancer.alb.zoneId, evaluateTargetHealth: true },
  naming,
);
const cdn = edge === undefined ? undefined : createCdn(config.domain, originHostName, zoneId, naming, { ...edge, webAclArn: webAcl.arn });
if (cdn) {
  createAliasRecords('cdn', config.domain, zoneId, { dnsName: cdn.domainName, zoneId: cdn.hostedZoneId, evaluateTargetHealth: false }, naming);
}

const database = createDatabase(config, network, securityGroups, naming);
const backupPlan = createBackupPlan(config, database, naming);
const backupBucket = createBackupBucket(config, naming);
const masterSecretArn = database.masterUserSecrets.apply((masterSecrets) => masterSecrets[0].secretArn);
const cache = createCache(config, network, securityGroups, secrets.redisAuthToken, naming);

const appSecret = createAppSecret(config, naming);
const appSecretVersion = storeAppEnvironment(
  appSecret,
  {
    NODE_ENV: 'production',
    SECRET_KEY: secrets.secretKey,
    SALT: secrets.salt,
    DATABASE_DEFAULT: 'mysql',
    DB_URL: database.address,
    DB_PORT: String(MYSQL_PORT),
    // The app's own user, never the master; todobox db:bootstrap creates it, and the exporter's.
    DB_USER: DB_APP_USERNAME,
    DB_PW: secrets.dbAppPassword,
    DB_NAME,
    DB_EXPORTER_USER: DB_EXPORTER_USERNAME,
    DB_EXPORTER_PASSWORD: secrets.dbExporterPassword,
    // RDS refuses plain TCP (require_secure_transport); the app checks the server's certificate too.
    DB_SSL: 'verify',
    DB_SSL_CA: RDS_CA_BUNDLE,
    REDIS_URL: pulumi.interpolate`rediss://:${secrets.redisAuthToken}@${cache.primaryEndpointAddress}:${REDIS_PORT}/0`,
    PORT: String(APP_PORT),
    // The security groups decide who connects: the load balancer to PORT, monitoring to METRICS_PORT.
    BIND_ADDRESS: '0.0.0.0',
    METRICS_PORT: String(METRICS_PORT),
    METRICS_BIND_ADDRESS: '0.0.0.0',
    METRICS_TOKEN: secrets.metricsToken,
    // The proxies that append to X-Forwarded-For: the load balancer, and CloudFront before it. A
    // client's own entries come before theirs and are never believed.
    TRUST_PROXY: config.enableCloudFront ? '2' : '1',
    WEB_CONCURRENCY: String(config.webConcurrency),
    LOG_DIR: APP_LOG_DIRECTORY,
    BACKUP_S3_URL: backupBucket.url,
  },
  naming,
);

const alarmTopic = createAlarmTopic(naming, config.alarmEmail);
const loadBalancerAlarms = createLoadBalancerAlarms(
  { loadBalancerArnSuffix: loadBalancer.alb.arnSuffix, targetGroupArnSuffix: loadBalancer.targetGroup.arnSuffix },
  naming,
  alarmTopic,
);
const rolloutAlarms = loadBalancerAlarms.rollout;
createDatabaseAlarms(database.identifier, databaseConnectionBudget(config), naming, alarmTopic);
createCacheAlarms(cache.id, config.cacheNodes, naming, alarmTopic);
createCertificateAlarm(loadBalancer.certificateArn, naming, alarmTopic);

const logGroups = config.enableCloudWatchAgent ? createServerLogGroups(config, naming, alarmTopic) : undefined;

const appServers = createAppServers(
  config,
  network,
  securityGroups,
  {
    targetGroupArn: loadBalancer.targetGroup.arn,
    secret: appSecret,
    secretVersion: appSecretVersion,
    masterSecretArn,
    rolloutAlarmNames: rolloutAlarms.map((alarm) => alarm.name),
    logGroups,
    backups: backupBucket,
  },
  naming,
);

export const url = `https://${config.domain}`;
const monitoring = createMonitoringHost(
  config,
  network,
  securityGroups,
  {
    publicUrl: url,
    database,
    databaseAddress: database.address,
    dbExporterPassword: secrets.dbExporterPassword,
    redisAddress: cache.primaryEndpointAddress,
    redisAuthToken: secrets.redisAuthToken,
    grafanaAdminPassword: generated(naming.name('grafana-admin-password'), 32),
    systemLogGroup: logGroups?.system,
  },
  naming,
);

export const albDnsName = loadBalancer.alb.dnsName;
export const dbEndpoint = database.endpoint;
export const redisEndpoint = pulumi.secret(pulumi.interpolate`${cache.primaryEndpointAddress}:${REDIS_PORT}`);
export const secretArn = appSecret.arn;
export const cloudFrontDomain = cdn?.domainName;
export const autoScalingGroupName = appServers.group.name;
export const monitoringSecurityGroupId = securityGroups.monitoring.id;
export const monitoringInstanceId = monitoring.instance.id;
export const monitoringSecretArn = monitoring.secret.arn;
export const appLogGroupName = logGroups?.app.name;
export const systemLogGroupName = logGroups?.system.name;
export const vpcId = network.vpc.id;
export const logBucketName = logBucket.bucket.id;
export const webAclName = webAcl.name;
export const backupBucketName = backupBucket.bucket.id;
export const backupUrl = backupBucket.url;
export const backupVaultName = backupPlan.vault.name;
export const backupCopyVaultArn = backupPlan.copyVault.arn;
