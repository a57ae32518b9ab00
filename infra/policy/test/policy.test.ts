import type { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { policies, resourcePolicies, stackPolicies } from '../src/allPolicies';
import { asgDesiredCapacityIgnored, asgRefreshCheckpoints, asgRefreshRollsBack } from '../src/autoScaling';
import { encryptedVolumes, imdsv2Required } from '../src/compute';
import { elasticacheEncryption } from '../src/elasticache';
import { albHttpsOnly } from '../src/loadBalancer';
import { noOpenIngress, noSsh } from '../src/network';
import {
  rdsBackupRetention,
  rdsDeletionProtectionInProduction,
  rdsMasterPasswordManaged,
  rdsNotPublic,
  rdsStorageEncrypted,
  rdsRequiresTls,
} from '../src/rds';
import { cloudFrontAliasWithoutHealthEvaluation, cloudFrontOriginSecret } from '../src/cdn';
import { runAwsProgram } from '../../aws/test/awsProgram';
import { vpcS3GatewayEndpoint } from '../src/endpoints';
import { rdsOffsiteBackup } from '../src/backups';
import { albAccessLogs, logBucketHardened, logGroupRetention, vpcFlowLogs } from '../src/logging';
import { albWafAssociation, wafLoginRateLimit, wafManagedRuleGroups } from '../src/waf';
import { ResourceUnderTest, StackResourceUnderTest, evaluate, stackViolationsOf, violationsOf } from './policyHarness';

const RDS_INSTANCE = 'aws:rds/instance:Instance';
const RDS_CLUSTER = 'aws:rds/cluster:Cluster';
const RDS_CLUSTER_INSTANCE = 'aws:rds/clusterInstance:ClusterInstance';
const LISTENER = 'aws:lb/listener:Listener';
const ALB_LISTENER = 'aws:alb/listener:Listener';
const SECURITY_GROUP = 'aws:ec2/securityGroup:SecurityGroup';
const INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
const GROUP_RULE = 'aws:ec2/securityGroupRule:SecurityGroupRule';
const LAUNCH_TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
const INSTANCE = 'aws:ec2/instance:Instance';
const VOLUME = 'aws:ebs/volume:Volume';
const REPLICATION_GROUP = 'aws:elasticache/replicationGroup:ReplicationGroup';
const CACHE_CLUSTER = 'aws:elasticache/cluster:Cluster';

interface PolicyCase {
  label: string;
  resource: ResourceUnderTest;
  /** The violation expected, or null for a compliant resource. */
  violation: RegExp | null;
}

const safeDatabase = {
  engine: 'mysql',
  parameterGroupName: 'todobox-prod-mysql84',
  storageEncrypted: true,
  publiclyAccessible: false,
  backupRetentionPeriod: 7,
  deletionProtection: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: 'todobox-final',
  manageMasterUserPassword: true,
};
const redirectToHttps = [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }];
const loadBalancerTags = { role: 'load-balancer' };
const httpsFromAnywhere = { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] };
const safeLaunchTemplate = {
  imageId: 'ami-0abcdef1234567890',
  metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required' },
  blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'true', volumeSize: 20 } }],
};
const safeInstance = {
  ami: 'ami-0abcdef1234567890',
  metadataOptions: { httpTokens: 'required' },
  rootBlockDevice: { encrypted: true },
};
const safeReplicationGroup = {
  description: 'sessions',
  transitEncryptionEnabled: true,
  atRestEncryptionEnabled: true,
  authToken: 'a-long-random-token-from-pulumi-random',
};

const RDS_PARAMETER_GROUP = 'aws:rds/parameterGroup:ParameterGroup';
const mysqlParameters = (parameters: Array<{ name: string; value: string }>) => ({ family: 'mysql8.4', parameters });

const DISTRIBUTION = 'aws:cloudfront/distribution:Distribution';
const ROUTE53_RECORD = 'aws:route53/record:Record';
const customOrigin = (customHeaders?: Array<{ name: string; value: string }>) => ({
  origins: [{ originId: 'alb', domainName: 'origin.todo.example.com', customOriginConfig: { originProtocolPolicy: 'https-only' }, customHeaders }],
});
const cloudFrontAlias = (evaluateTargetHealth?: boolean) => ({
  name: 'todo.example.com',
  type: 'A',
  aliases: [{ name: 'd111111abcdef8.cloudfront.net', zoneId: 'Z2FDTNDATAQYW2', evaluateTargetHealth }],
});

const AUTO_SCALING_GROUP = 'aws:autoscaling/group:Group';
const scalingGroup = (props: Record<string, unknown> = {}) => ({ minSize: 2, maxSize: 4, desiredCapacity: 2, ...props });
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';

const LOAD_BALANCER = 'aws:lb/loadBalancer:LoadBalancer';
const ALB_LOAD_BALANCER = 'aws:alb/loadBalancer:LoadBalancer';
const loggingAlb = { loadBalancerType: 'application', accessLogs: { enabled: true, bucket: 'todobox-logs', prefix: 'alb' } };

const WEB_ACL = 'aws:wafv2/webAcl:WebAcl';
const postTo = (uriPath: Record<string, unknown>) => ({
  andStatement: {
    statements: [{ byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: 'POST' } }, uriPath],
  },
});
const loginPathRegex = { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: '^/login/?$' } };
const loginPathBytes = { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'EXACTLY', searchString: '/login' } };
const rateRule = (rateBasedStatement: Record<string, unknown>, action: Record<string, unknown> = { block: {} }) => ({
  scope: 'REGIONAL',
  defaultAction: { allow: {} },
  rules: [{ name: 'LoginRateLimit', priority: 1, action, statement: { rateBasedStatement: { limit: 100, aggregateKeyType: 'IP', ...rateBasedStatement } } }],
});

const managedGroup = (name: string, overrideAction: Record<string, unknown> = { none: {} }, ruleActionOverrides: unknown[] = []) => ({
  name,
  priority: 10,
  overrideAction,
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
});
const coreBodyCounted = [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }];
const managedGroupsAcl = (core: Record<string, unknown> = managedGroup('AWSManagedRulesCommonRuleSet', { none: {} }, coreBodyCounted), ...more: unknown[]) => ({
  scope: 'REGIONAL',
  defaultAction: { allow: {} },
  rules: [managedGroup('AWSManagedRulesAmazonIpReputationList'), managedGroup('AWSManagedRulesKnownBadInputsRuleSet'), core, ...more],
});
const XSS_BODY_LABEL = 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body';
const coreCounting = (...rules: string[]) =>
  managedGroup('AWSManagedRulesCommonRuleSet', { none: {} }, [...coreBodyCounted, ...rules.map((name) => ({ name, actionToUse: { count: {} } }))]);
/** Blocks what the core set labelled, except on one route: the pattern for a managed rule's false positives. */
const labelBlock = (key: string, action: Record<string, unknown> = { block: {} }) => ({
  name: 'CoreBodyRulesOutsideMarkdown',
  priority: 51,
  action,
  statement: { andStatement: { statements: [{ orStatement: { statements: [{ labelMatchStatement: { scope: 'LABEL', key } }] } }, { notStatement: { statement: postTo(loginPathBytes) } }] } },
});

const cases = new Map<ResourceValidationPolicy, PolicyCase[]>([
  [
    rdsMasterPasswordManaged,
    [
      { label: 'instance whose master password RDS manages', resource: { type: RDS_INSTANCE, props: safeDatabase }, violation: null },
      { label: 'cluster whose master password RDS manages', resource: { type: RDS_CLUSTER, props: { manageMasterUserPassword: true } }, violation: null },
      {
        label: 'read replica (its users come from its source)',
        resource: { type: RDS_INSTANCE, props: { replicateSourceDb: 'todobox-db', storageEncrypted: true } },
        violation: null,
      },
      {
        label: 'instance given a master password',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, manageMasterUserPassword: undefined, password: 'x'.repeat(32) } },
        violation: /must set manageMasterUserPassword: true/,
      },
      {
        label: 'instance managed by RDS and given a password too',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, password: 'x'.repeat(32) } },
        violation: /must not be given a master password/,
      },
      {
        label: 'cluster given a master password',
        resource: { type: RDS_CLUSTER, props: { masterPassword: 'x'.repeat(32) } },
        violation: /RDS cluster must not be given a master password/,
      },
    ],
  ],
  [
    asgDesiredCapacityIgnored,
    [
      {
        label: 'group leaving its desired capacity to scaling',
        resource: { type: AUTO_SCALING_GROUP, props: scalingGroup(), ignoreChanges: ['desiredCapacity', 'launchTemplate'] },
        violation: null,
      },
      { label: 'group of a fixed size', resource: { type: AUTO_SCALING_GROUP, props: scalingGroup({ minSize: 2, maxSize: 2 }) }, violation: null },
      { label: 'group without a desired capacity', resource: { type: AUTO_SCALING_GROUP, props: scalingGroup({ desiredCapacity: undefined }) }, violation: null },
      {
        label: 'scaling group whose desired capacity pulumi up sets back',
        resource: { type: AUTO_SCALING_GROUP, props: scalingGroup(), ignoreChanges: ['launchTemplate'] },
        violation: /must list 'desiredCapacity' in ignoreChanges/,
      },
    ],
  ],
  [
    logGroupRetention,
    [
      { label: 'log group kept 30 days', resource: { type: LOG_GROUP, props: { retentionInDays: 30 } }, violation: null },
      { label: 'log group kept forever (unset)', resource: { type: LOG_GROUP, props: {} }, violation: /must set retentionInDays \(it is not set\)/ },
      { label: 'log group kept forever (0)', resource: { type: LOG_GROUP, props: { retentionInDays: 0 } }, violation: /must set retentionInDays \(it is 0\)/ },
    ],
  ],
  [
    wafLoginRateLimit,
    [
      { label: 'rate rule on POST to a /login path pattern', resource: { type: WEB_ACL, props: rateRule({ scopeDownStatement: postTo(loginPathRegex) }) }, violation: null },
      { label: 'rate rule on POST /login by bytes', resource: { type: WEB_ACL, props: rateRule({ scopeDownStatement: postTo(loginPathBytes) }) }, violation: null },
      {
        label: 'rate rule on the first X-Forwarded-For address, which the client writes',
        resource: {
          type: WEB_ACL,
          props: rateRule({ aggregateKeyType: 'FORWARDED_IP', forwardedIpConfig: { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' }, scopeDownStatement: postTo(loginPathBytes) }),
        },
        violation: /blocking rate-based rule on POST \/login per client address \(aggregateKeyType IP\)/,
      },
      { label: 'web ACL without rules', resource: { type: WEB_ACL, props: { scope: 'REGIONAL', defaultAction: { allow: {} } } }, violation: /blocking rate-based rule on POST \/login/ },
      { label: 'rate rule on every request', resource: { type: WEB_ACL, props: rateRule({}) }, violation: /rate-based rule on POST \/login/ },
      {
        label: 'rate rule on another path',
        resource: { type: WEB_ACL, props: rateRule({ scopeDownStatement: postTo({ ...loginPathBytes, byteMatchStatement: { ...loginPathBytes.byteMatchStatement, searchString: '/signup' } }) }) },
        violation: /rate-based rule on POST \/login/,
      },
      { label: 'rate rule only counting', resource: { type: WEB_ACL, props: rateRule({ scopeDownStatement: postTo(loginPathRegex) }, { count: {} }) }, violation: /blocking/ },
    ],
  ],
  [
    wafManagedRuleGroups,
    [
      { label: 'web ACL running the three groups, the core body limit counted', resource: { type: WEB_ACL, props: managedGroupsAcl() }, violation: null },
      { label: 'web ACL without managed groups', resource: { type: WEB_ACL, props: rateRule({ scopeDownStatement: postTo(loginPathRegex) }) }, violation: /must run the AWS managed rule group AWSManagedRulesCommonRuleSet/ },
      {
        label: 'web ACL missing the IP reputation list',
        resource: { type: WEB_ACL, props: { ...managedGroupsAcl(), rules: managedGroupsAcl().rules.slice(1) } },
        violation: /must run the AWS managed rule group AWSManagedRulesAmazonIpReputationList/,
      },
      {
        label: 'core rule set only counting',
        resource: { type: WEB_ACL, props: managedGroupsAcl(managedGroup('AWSManagedRulesCommonRuleSet', { count: {} }, coreBodyCounted)) },
        violation: /must let AWSManagedRulesCommonRuleSet block/,
      },
      {
        label: 'core rule set blocking bodies over 8 KB',
        resource: { type: WEB_ACL, props: managedGroupsAcl(managedGroup('AWSManagedRulesCommonRuleSet')) },
        violation: /must count SizeRestrictions_BODY instead of blocking/,
      },
      {
        label: 'another rule of the core set counted instead of the body limit',
        resource: { type: WEB_ACL, props: managedGroupsAcl(managedGroup('AWSManagedRulesCommonRuleSet', { none: {} }, [{ name: 'NoUserAgent_HEADER', actionToUse: { count: {} } }])) },
        violation: /must count SizeRestrictions_BODY/,
      },
      {
        label: 'core body rule counted, and blocked by its label outside the routes it misjudges',
        resource: { type: WEB_ACL, props: managedGroupsAcl(coreCounting('CrossSiteScripting_BODY'), labelBlock(XSS_BODY_LABEL)) },
        violation: null,
      },
      {
        label: 'core body rule counted with nothing blocking its label',
        resource: { type: WEB_ACL, props: managedGroupsAcl(coreCounting('CrossSiteScripting_BODY')) },
        violation: new RegExp(`counts CrossSiteScripting_BODY, so a rule after it must block its label ${XSS_BODY_LABEL}`),
      },
      {
        label: "core body rule counted, its label only counted too",
        resource: { type: WEB_ACL, props: managedGroupsAcl(coreCounting('CrossSiteScripting_BODY'), labelBlock(XSS_BODY_LABEL, { count: {} })) },
        violation: /counts CrossSiteScripting_BODY, so a rule after it must block its label/,
      },
      {
        label: "core body rule counted, another rule's label blocked",
        resource: { type: WEB_ACL, props: managedGroupsAcl(coreCounting('GenericLFI_BODY'), labelBlock(XSS_BODY_LABEL)) },
        violation: /counts GenericLFI_BODY, so a rule after it must block its label awswaf:managed:aws:core-rule-set:GenericLFI_Body/,
      },
      {
        label: 'core body rule counted, its label blocked before the group labels anything',
        resource: { type: WEB_ACL, props: managedGroupsAcl(coreCounting('CrossSiteScripting_BODY'), { ...labelBlock(XSS_BODY_LABEL), priority: 5 }) },
        violation: /counts CrossSiteScripting_BODY, so a rule after it must block its label/,
      },
      {
        label: 'core rule counted that no label rule puts back',
        resource: { type: WEB_ACL, props: managedGroupsAcl(coreCounting('NoUserAgent_HEADER')) },
        violation: /must not count NoUserAgent_HEADER/,
      },
    ],
  ],
  [
    albAccessLogs,
    [
      { label: 'ALB writing access logs', resource: { type: LOAD_BALANCER, props: loggingAlb }, violation: null },
      { label: 'network load balancer without access logs', resource: { type: LOAD_BALANCER, props: { loadBalancerType: 'network' } }, violation: null },
      { label: 'ALB without access logs', resource: { type: LOAD_BALANCER, props: { loadBalancerType: 'application' } }, violation: /must write access logs/ },
      {
        label: 'ALB (alb module, type left to its default) with logging turned off',
        resource: { type: ALB_LOAD_BALANCER, props: { accessLogs: { ...loggingAlb.accessLogs, enabled: false } } },
        violation: /must write access logs/,
      },
    ],
  ],
  [
    cloudFrontOriginSecret,
    [
      { label: 'origin sent a secret header', resource: { type: DISTRIBUTION, props: customOrigin([{ name: 'X-TodoBox-Origin-Secret', value: 'x'.repeat(40) }]) }, violation: null },
      { label: 'origin without headers', resource: { type: DISTRIBUTION, props: customOrigin() }, violation: /custom origin alb must be sent a secret header/ },
      { label: 'origin with a short header', resource: { type: DISTRIBUTION, props: customOrigin([{ name: 'X-Origin', value: 'short' }]) }, violation: /secret header of 32/ },
    ],
  ],
  [
    cloudFrontAliasWithoutHealthEvaluation,
    [
      { label: 'CloudFront alias without health evaluation', resource: { type: ROUTE53_RECORD, props: cloudFrontAlias(false) }, violation: null },
      {
        label: 'load balancer alias evaluating health',
        resource: { type: ROUTE53_RECORD, props: { ...cloudFrontAlias(true), aliases: [{ name: 'todobox-alb-1.us-east-1.elb.amazonaws.com', zoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true }] } },
        violation: null,
      },
      { label: 'CloudFront alias evaluating health', resource: { type: ROUTE53_RECORD, props: cloudFrontAlias(true) }, violation: /must set evaluateTargetHealth: false/ },
    ],
  ],
  [
    rdsRequiresTls,
    [
      { label: 'MySQL group requiring TLS', resource: { type: RDS_PARAMETER_GROUP, props: mysqlParameters([{ name: 'require_secure_transport', value: '1' }]) }, violation: null },
      { label: 'PostgreSQL group forcing TLS', resource: { type: RDS_PARAMETER_GROUP, props: { family: 'postgres16', parameters: [{ name: 'rds.force_ssl', value: '1' }] } }, violation: null },
      { label: 'instance with its own group', resource: { type: RDS_INSTANCE, props: safeDatabase }, violation: null },
      {
        label: 'MySQL group without require_secure_transport',
        resource: { type: RDS_PARAMETER_GROUP, props: mysqlParameters([{ name: 'slow_query_log', value: '1' }]) },
        violation: /must set require_secure_transport = 1 \(it is not set\)/,
      },
      {
        label: 'PostgreSQL group with rds.force_ssl off',
        resource: { type: RDS_PARAMETER_GROUP, props: { family: 'postgres16', parameters: [{ name: 'rds.force_ssl', value: '0' }] } },
        violation: /must set rds.force_ssl = 1 \(it is 0\)/,
      },
      {
        label: 'instance on the default parameter group',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, parameterGroupName: 'default.mysql8.4' } },
        violation: /parameter group of the stack's own/,
      },
      {
        label: 'instance without a parameter group',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, parameterGroupName: undefined } },
        violation: /parameter group of the stack's own/,
      },
    ],
  ],
  [
    rdsStorageEncrypted,
    [
      { label: 'encrypted instance', resource: { type: RDS_INSTANCE, props: safeDatabase }, violation: null },
      { label: 'encrypted cluster', resource: { type: RDS_CLUSTER, props: { storageEncrypted: true } }, violation: null },
      {
        label: 'unencrypted instance',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, storageEncrypted: false } },
        violation: /instance must set storageEncrypted/,
      },
      {
        label: 'cluster without storageEncrypted',
        resource: { type: RDS_CLUSTER, props: {} },
        violation: /cluster must set storageEncrypted/,
      },
    ],
  ],
  [
    rdsNotPublic,
    [
      { label: 'private instance', resource: { type: RDS_INSTANCE, props: safeDatabase }, violation: null },
      {
        label: 'instance left at the private default',
        resource: { type: RDS_INSTANCE, props: { engine: 'mysql' } },
        violation: null,
      },
      {
        label: 'public instance',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, publiclyAccessible: true } },
        violation: /instance must not be publicly accessible/,
      },
      {
        label: 'public cluster instance',
        resource: { type: RDS_CLUSTER_INSTANCE, props: { publiclyAccessible: true } },
        violation: /cluster instance must not be publicly accessible/,
      },
    ],
  ],
  [
    rdsBackupRetention,
    [
      { label: '7 days', resource: { type: RDS_INSTANCE, props: safeDatabase }, violation: null },
      {
        label: 'read replica (backed up through its source)',
        resource: { type: RDS_INSTANCE, props: { replicateSourceDb: 'todobox-db', storageEncrypted: true } },
        violation: null,
      },
      {
        label: '1 day',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, backupRetentionPeriod: 1 } },
        violation: /at least 7 days \(backupRetentionPeriod is 1\)/,
      },
      {
        label: 'cluster without retention',
        resource: { type: RDS_CLUSTER, props: { storageEncrypted: true } },
        violation: /RDS cluster must keep automated backups.*not set/,
      },
    ],
  ],
  [
    rdsDeletionProtectionInProduction,
    [
      { label: 'protected production instance', resource: { type: RDS_INSTANCE, props: safeDatabase }, violation: null },
      {
        label: 'unprotected instance in a staging stack',
        resource: {
          type: RDS_INSTANCE,
          stack: 'staging',
          props: { ...safeDatabase, deletionProtection: false, skipFinalSnapshot: true },
        },
        violation: null,
      },
      {
        label: 'production read replica without a final snapshot',
        resource: {
          type: RDS_INSTANCE,
          props: { replicateSourceDb: 'todobox-db', deletionProtection: true, skipFinalSnapshot: true },
        },
        violation: null,
      },
      {
        label: 'instance without deletion protection in the prod stack',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, deletionProtection: false } },
        violation: /must set deletionProtection: true/,
      },
      {
        label: 'instance skipping the final snapshot in the prod stack',
        resource: { type: RDS_INSTANCE, props: { ...safeDatabase, skipFinalSnapshot: true } },
        violation: /must set skipFinalSnapshot: false/,
      },
      {
        label: 'cluster tagged Environment: prod in a stack of another name',
        resource: { type: RDS_CLUSTER, stack: 'eu-live', props: { tags: { Environment: 'prod' } } },
        violation: /production RDS cluster must set deletionProtection/,
      },
      {
        label: 'instance tagged environment: production in a stack of another name',
        resource: {
          type: RDS_INSTANCE,
          stack: 'eu-live',
          props: { ...safeDatabase, skipFinalSnapshot: true, tags: { environment: 'production' } },
        },
        violation: /must set skipFinalSnapshot: false/,
      },
      {
        label: 'instance in a stack listed in productionStacks',
        resource: {
          type: RDS_INSTANCE,
          stack: 'live',
          config: { productionStacks: ['live'] },
          props: { ...safeDatabase, deletionProtection: false },
        },
        violation: /must set deletionProtection: true/,
      },
    ],
  ],
  [
    albHttpsOnly,
    [
      {
        label: 'HTTPS listener with a TLS 1.2+ policy',
        resource: {
          type: LISTENER,
          props: { protocol: 'HTTPS', port: 443, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', defaultActions: [{ type: 'forward' }] },
        },
        violation: null,
      },
      {
        label: 'HTTP listener redirecting to HTTPS with 301',
        resource: { type: LISTENER, props: { protocol: 'HTTP', port: 80, defaultActions: redirectToHttps } },
        violation: null,
      },
      {
        label: 'HTTP listener forwarding to the app',
        resource: { type: LISTENER, props: { protocol: 'HTTP', port: 80, defaultActions: [{ type: 'forward' }] } },
        violation: /HTTP listener may only redirect to HTTPS/,
      },
      {
        label: 'listener without protocol (plain HTTP) redirecting with 302',
        resource: {
          type: ALB_LISTENER,
          props: { port: 80, defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTPS', statusCode: 'HTTP_302' } }] },
        },
        violation: /HTTP listener may only redirect to HTTPS/,
      },
      {
        label: 'HTTPS listener accepting TLS 1.0',
        resource: {
          type: LISTENER,
          props: { protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-2016-08', defaultActions: [{ type: 'forward' }] },
        },
        violation: /TLS 1.2\+ sslPolicy/,
      },
      {
        label: 'HTTPS listener without sslPolicy',
        resource: { type: LISTENER, props: { protocol: 'HTTPS', defaultActions: [{ type: 'forward' }] } },
        violation: /leaves the choice to AWS/,
      },
    ],
  ],
  [
    noOpenIngress,
    [
      {
        label: 'load balancer group open on 443',
        resource: { type: SECURITY_GROUP, props: { tags: loadBalancerTags, ingress: [httpsFromAnywhere] } },
        violation: null,
      },
      {
        label: 'load balancer ingress rule open on 80 over IPv6',
        resource: {
          type: INGRESS_RULE,
          props: { ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv6: '::/0', tags: loadBalancerTags },
        },
        violation: null,
      },
      {
        label: 'load balancer group tagged Role: load-balancer open on 80',
        resource: {
          type: SECURITY_GROUP,
          props: { tags: { Role: 'load-balancer' }, ingress: [{ ...httpsFromAnywhere, fromPort: 80, toPort: 80 }] },
        },
        violation: null,
      },
      {
        label: 'app group open only to the load balancer group',
        resource: {
          type: INGRESS_RULE,
          props: { ipProtocol: 'tcp', fromPort: 9191, toPort: 9191, referencedSecurityGroupId: 'sg-alb' },
        },
        violation: null,
      },
      {
        label: 'untagged group open on 443',
        resource: { type: SECURITY_GROUP, props: { ingress: [httpsFromAnywhere] } },
        violation: /only allowed on the load balancer's security group/,
      },
      {
        label: 'load balancer group open on every port',
        resource: {
          type: SECURITY_GROUP,
          props: { tags: loadBalancerTags, ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }] },
        },
        violation: /only allowed on TCP 80 or 443 \(this rule opens all traffic\)/,
      },
      {
        label: 'database port open to the internet',
        resource: {
          type: INGRESS_RULE,
          props: { ipProtocol: 'tcp', fromPort: 3306, toPort: 3306, cidrIpv4: '0.0.0.0/0' },
        },
        violation: /this rule opens tcp 3306/,
      },
      {
        label: 'ec2 ingress rule on 443 (cannot carry the load balancer tag)',
        resource: {
          type: GROUP_RULE,
          props: { type: 'ingress', protocol: 'tcp', fromPort: 443, toPort: 443, ipv6CidrBlocks: ['::/0'] },
        },
        violation: /only allowed on the load balancer's security group/,
      },
    ],
  ],
  [
    noSsh,
    [
      {
        label: 'group without SSH',
        resource: { type: SECURITY_GROUP, props: { tags: loadBalancerTags, ingress: [httpsFromAnywhere] } },
        violation: null,
      },
      {
        label: 'egress rule covering port 22',
        resource: {
          type: GROUP_RULE,
          props: { type: 'egress', protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] },
        },
        violation: null,
      },
      { label: 'launch template without keyName', resource: { type: LAUNCH_TEMPLATE, props: safeLaunchTemplate }, violation: null },
      {
        label: 'SSH from the internet',
        resource: { type: INGRESS_RULE, props: { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' } },
        violation: /must not admit SSH \(this rule opens tcp 22\)/,
      },
      {
        label: 'SSH from inside the VPC through a port range',
        resource: {
          type: SECURITY_GROUP,
          props: { ingress: [{ protocol: 'tcp', fromPort: 0, toPort: 1024, cidrBlocks: ['10.0.0.0/16'] }] },
        },
        violation: /must not admit SSH \(this rule opens tcp 0-1024\)/,
      },
      {
        label: 'all traffic from another group',
        resource: {
          type: GROUP_RULE,
          props: { type: 'ingress', protocol: '-1', fromPort: 0, toPort: 0, sourceSecurityGroupId: 'sg-bastion' },
        },
        violation: /must not admit SSH \(this rule opens all traffic\)/,
      },
      {
        label: 'launch template with a key pair',
        resource: { type: LAUNCH_TEMPLATE, props: { ...safeLaunchTemplate, keyName: 'ops' } },
        violation: /launch template must not set keyName/,
      },
      {
        label: 'instance with a key pair',
        resource: { type: INSTANCE, props: { ...safeInstance, keyName: 'ops' } },
        violation: /instance must not set keyName/,
      },
    ],
  ],
  [
    imdsv2Required,
    [
      { label: 'launch template requiring tokens', resource: { type: LAUNCH_TEMPLATE, props: safeLaunchTemplate }, violation: null },
      { label: 'instance requiring tokens', resource: { type: INSTANCE, props: safeInstance }, violation: null },
      {
        label: 'launch template with optional tokens (IMDSv1)',
        resource: { type: LAUNCH_TEMPLATE, props: { ...safeLaunchTemplate, metadataOptions: { httpTokens: 'optional' } } },
        violation: /launch template must set metadataOptions.httpTokens/,
      },
      {
        label: 'instance without metadata options',
        resource: { type: INSTANCE, props: { ami: 'ami-0abcdef1234567890', rootBlockDevice: { encrypted: true } } },
        violation: /instance must set metadataOptions.httpTokens/,
      },
    ],
  ],
  [
    encryptedVolumes,
    [
      { label: 'launch template with an encrypted root', resource: { type: LAUNCH_TEMPLATE, props: safeLaunchTemplate }, violation: null },
      { label: 'encrypted volume', resource: { type: VOLUME, props: { size: 10, encrypted: true } }, violation: null },
      { label: 'instance with an encrypted root', resource: { type: INSTANCE, props: safeInstance }, violation: null },
      {
        label: 'launch template with an unencrypted volume',
        resource: {
          type: LAUNCH_TEMPLATE,
          props: { ...safeLaunchTemplate, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'false' } }] },
        },
        violation: /volume \/dev\/xvda must set ebs.encrypted/,
      },
      {
        label: 'launch template leaving the root volume to the AMI',
        resource: { type: LAUNCH_TEMPLATE, props: { ...safeLaunchTemplate, blockDeviceMappings: [] } },
        violation: /must declare its root volume/,
      },
      {
        label: 'unencrypted volume',
        resource: { type: VOLUME, props: { size: 10 } },
        violation: /EBS volume must set encrypted: true/,
      },
      {
        label: 'instance with an unencrypted root',
        resource: { type: INSTANCE, props: { ...safeInstance, rootBlockDevice: { encrypted: false } } },
        violation: /rootBlockDevice.encrypted/,
      },
    ],
  ],
  [
    elasticacheEncryption,
    [
      { label: 'encrypted group with an auth token', resource: { type: REPLICATION_GROUP, props: safeReplicationGroup }, violation: null },
      {
        label: 'cluster member of a replication group',
        resource: { type: CACHE_CLUSTER, props: { replicationGroupId: 'todobox-sessions' } },
        violation: null,
      },
      {
        label: 'group without encryption in transit',
        resource: { type: REPLICATION_GROUP, props: { ...safeReplicationGroup, transitEncryptionEnabled: false } },
        violation: /transitEncryptionEnabled/,
      },
      {
        label: 'group without an auth token',
        resource: { type: REPLICATION_GROUP, props: { ...safeReplicationGroup, authToken: undefined } },
        violation: /must require authentication/,
      },
      {
        label: 'group without encryption at rest',
        resource: { type: REPLICATION_GROUP, props: { ...safeReplicationGroup, atRestEncryptionEnabled: false } },
        violation: /atRestEncryptionEnabled/,
      },
      {
        label: 'standalone cluster',
        resource: { type: CACHE_CLUSTER, props: { engine: 'redis', nodeType: 'cache.t4g.micro' } },
        violation: /standalone cache cluster/,
      },
    ],
  ],
]);

interface StackCase {
  label: string;
  resources: StackResourceUnderTest[];
  /** The violation expected, or null for a compliant stack. */
  violation: RegExp | null;
}

const VPC = 'aws:ec2/vpc:Vpc';
const VPC_ENDPOINT = 'aws:ec2/vpcEndpoint:VpcEndpoint';
const ROUTE_TABLE = 'aws:ec2/routeTable:RouteTable';
const vpc: StackResourceUnderTest = { type: VPC, name: 'vpc', props: { cidrBlock: '10.0.0.0/16' } };
const appRoutes: StackResourceUnderTest = { type: ROUTE_TABLE, name: 'app-rt-0', props: { vpcId: 'vpc-id' } };
const s3Endpoint = (props: Record<string, unknown> = {}): StackResourceUnderTest => ({
  type: VPC_ENDPOINT,
  name: 's3-endpoint',
  props: { vpcId: 'vpc-id', serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway', routeTableIds: ['app-rt-0-id'], ...props },
});

const BUCKET = 'aws:s3/bucket:Bucket';
const FLOW_LOG = 'aws:ec2/flowLog:FlowLog';
const logBucket: StackResourceUnderTest = { type: BUCKET, name: 'logs', props: {} };
const bucketSetting = (type: string, name: string, props: Record<string, unknown>): StackResourceUnderTest => ({ type, name, props: { bucket: 'logs-id', ...props } });
const sseS3 = bucketSetting('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'logs-encryption', {
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
});
const sseKms = bucketSetting('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'logs-encryption', {
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
});
const expiry = (status = 'Enabled') =>
  bucketSetting('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'logs-expiry', { rules: [{ id: 'expire', status, expiration: { days: 90 } }] });
const publicAccessBlock = (restrictPublicBuckets = true) =>
  bucketSetting('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', 'logs-public-access', {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets,
  });
const albLoggingTo = (bucket: string): StackResourceUnderTest => ({ type: LOAD_BALANCER, name: 'alb', props: { ...loggingAlb, accessLogs: { ...loggingAlb.accessLogs, bucket } } });
const flowLog = (props: Record<string, unknown> = {}): StackResourceUnderTest => ({
  type: FLOW_LOG,
  name: 'vpc-flow-log',
  props: { vpcId: 'vpc-id', trafficType: 'ALL', logDestinationType: 's3', logDestination: 'arn:aws:s3:::logs-id/vpc-flow-logs/', ...props },
});

const WEB_ACL_ASSOCIATION = 'aws:wafv2/webAclAssociation:WebAclAssociation';
const alb: StackResourceUnderTest = { type: LOAD_BALANCER, name: 'alb', props: loggingAlb };
const webAcl: StackResourceUnderTest = { type: WEB_ACL, name: 'waf', props: rateRule({ scopeDownStatement: postTo(loginPathRegex) }) };
const associationWith = (loadBalancer: string): StackResourceUnderTest => ({
  type: WEB_ACL_ASSOCIATION,
  name: 'waf-alb',
  props: { resourceArn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:${loadBalancer}-id`, webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:waf-id' },
});

const LOCAL_COMMAND = 'command:local:Command';
const rolloutPreferences = { AutoRollback: true, AlarmSpecification: { Alarms: ['alarm-unhealthy-hosts'] }, CheckpointPercentages: [50, 100], CheckpointDelay: 600 };
const startRefresh =
  'aws autoscaling start-instance-refresh --auto-scaling-group-name "$GROUP_NAME" --desired-configuration "$DESIRED" --preferences "$REFRESH_PREFERENCES"';
const appGroup = (props: Record<string, unknown> = {}, ignoreChanges = ['desiredCapacity', 'launchTemplate']): StackResourceUnderTest => ({
  type: AUTO_SCALING_GROUP,
  name: 'app-asg',
  props: scalingGroup({ launchTemplate: { id: 'app-lt-id', version: '3' }, ...props }),
  ignoreChanges,
});
const refreshCommand = (preferences: Record<string, unknown> = rolloutPreferences, props: Record<string, unknown> = {}): StackResourceUnderTest => ({
  type: LOCAL_COMMAND,
  name: 'app-refresh',
  props: {
    create: startRefresh,
    update: startRefresh,
    environment: { GROUP_NAME: 'app-asg-id', LAUNCH_TEMPLATE_ID: 'app-lt-id', LAUNCH_TEMPLATE_VERSION: '3', REFRESH_PREFERENCES: JSON.stringify(preferences) },
    ...props,
  },
});

const LISTENER_RULE = 'aws:lb/listenerRule:ListenerRule';
const ORIGIN_HEADER = 'X-TodoBox-Origin-Secret';
const forbiddenByDefault = [{ type: 'fixed-response', fixedResponse: { statusCode: '403', contentType: 'text/plain' } }];
const albListener = (defaultActions: unknown[] = forbiddenByDefault): StackResourceUnderTest => ({
  type: LISTENER,
  name: 'https',
  props: { loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:alb-id', protocol: 'HTTPS', port: 443, defaultActions },
});
const forwardWhenHeader = (headerName?: string): StackResourceUnderTest => ({
  type: LISTENER_RULE,
  name: 'from-cloudfront',
  props: {
    listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:https-id',
    priority: 20,
    conditions: headerName === undefined ? [{ pathPattern: { values: ['/*'] } }] : [{ httpHeader: { httpHeaderName: headerName, values: ['s'.repeat(40)] } }],
    actions: [{ type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:app-tg-id' }],
  },
});
const guardedDistribution = (props: Record<string, unknown> = {}): StackResourceUnderTest => ({
  type: DISTRIBUTION,
  name: 'cdn',
  props: { ...customOrigin([{ name: ORIGIN_HEADER, value: 's'.repeat(40) }]), webAclId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/cdn-waf-id', ...props },
});
const edgeWebAcl: StackResourceUnderTest = { ...webAcl, name: 'cdn-waf', props: { ...webAcl.props, scope: 'CLOUDFRONT' } };
const behindCloudFront = [alb, albListener(), forwardWhenHeader(ORIGIN_HEADER), edgeWebAcl, guardedDistribution()];

const database: StackResourceUnderTest = { type: RDS_INSTANCE, name: 'db', props: safeDatabase };
const replica: StackResourceUnderTest = { type: RDS_INSTANCE, name: 'db-replica', props: { ...safeDatabase, replicateSourceDb: 'db-id' } };
const backupPlan = (copyActions?: unknown[]): StackResourceUnderTest => ({
  type: 'aws:backup/plan:Plan',
  name: 'backup-plan',
  props: { rules: [{ ruleName: 'weekly', targetVaultName: 'vault', schedule: 'cron(0 5 ? * SUN *)', copyActions }] },
});
const selectionOf = (resources: string[], planId = 'backup-plan-id'): StackResourceUnderTest => ({
  type: 'aws:backup/selection:Selection',
  name: 'backup-database',
  props: { planId, iamRoleArn: 'arn:aws:iam::123456789012:role/backup', resources },
});
const copyToSecondRegion = [{ destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:copy-vault-id' }];

const stackCases = new Map<StackValidationPolicy, StackCase[]>([
  [
    rdsOffsiteBackup,
    [
      { label: 'database selected by a plan that copies to a second region', resources: [database, backupPlan(copyToSecondRegion), selectionOf(['arn:aws:rds:us-east-1:123456789012:db:db-id'])], violation: null },
      { label: 'read replica outside any plan', resources: [database, replica, backupPlan(copyToSecondRegion), selectionOf(['arn:aws:rds:us-east-1:123456789012:db:db-id'])], violation: null },
      { label: 'database in no plan', resources: [database], violation: /RDS instance db must be selected by an AWS Backup plan/ },
      { label: 'plan selecting another database', resources: [database, { ...database, name: 'other-db' }, backupPlan(copyToSecondRegion), selectionOf(['other-db-id'])], violation: /RDS instance db must be selected/ },
      { label: 'plan without a copy', resources: [database, backupPlan(), selectionOf(['arn:aws:rds:us-east-1:123456789012:db:db-id'])], violation: /must copy its snapshots to another vault/ },
      { label: 'plan with an empty copy list', resources: [database, backupPlan([]), selectionOf(['arn:aws:rds:us-east-1:123456789012:db:db-id'])], violation: /must copy its snapshots/ },
    ],
  ],
  [
    asgRefreshRollsBack,
    [
      { label: 'group rolled out by a refresh command that rolls back on alarms', resources: [appGroup(), refreshCommand()], violation: null },
      {
        label: "group also carrying the provider's instanceRefresh",
        resources: [appGroup({ instanceRefresh: { strategy: 'Rolling', preferences: { autoRollback: true } } }), refreshCommand()],
        violation: /must not set the provider's instanceRefresh/,
      },
      {
        label: 'group on $Latest',
        resources: [appGroup({ launchTemplate: { id: 'app-lt-id', version: '$Latest' } }), refreshCommand()],
        violation: /launch template version number.*\(it is \$Latest\)/,
      },
      { label: 'group that pulumi up moves to each new version', resources: [appGroup({}, ['desiredCapacity']), refreshCommand()], violation: /must list launchTemplate in ignoreChanges/ },
      { label: 'group without a refresh command', resources: [appGroup()], violation: /must be rolled out by a command:local:Command/ },
      {
        label: 'refresh command of another group',
        resources: [appGroup(), { ...appGroup(), name: 'worker-asg' }, refreshCommand(rolloutPreferences, { environment: { ...refreshCommand().props.environment as object, GROUP_NAME: 'worker-asg-id' } })],
        violation: /group app-asg must be rolled out by a command/,
      },
      {
        label: 'refresh command without a desired configuration (no rollback possible)',
        resources: [appGroup(), refreshCommand(rolloutPreferences, { create: startRefresh.replace(/--desired-configuration "\$DESIRED" /, ''), update: undefined })],
        violation: /must be rolled out by a command/,
      },
      { label: 'refresh command without AutoRollback', resources: [appGroup(), refreshCommand({ ...rolloutPreferences, AutoRollback: false })], violation: /app-refresh to set AutoRollback: true/ },
      {
        label: 'refresh command watching no alarm',
        resources: [appGroup(), refreshCommand({ ...rolloutPreferences, AlarmSpecification: { Alarms: [] } })],
        violation: /app-refresh to name the CloudWatch alarms/,
      },
    ],
  ],
  [
    asgRefreshCheckpoints,
    [
      { label: 'refresh pausing at half the fleet for 10 minutes', resources: [appGroup(), refreshCommand()], violation: null },
      { label: 'group without a refresh command (asg-refresh-rolls-back reports it)', resources: [appGroup()], violation: null },
      {
        label: 'refresh without checkpoints',
        resources: [appGroup(), refreshCommand({ ...rolloutPreferences, CheckpointPercentages: undefined })],
        violation: /app-refresh of app-asg: CheckpointPercentages must stop below 100 before ending at 100 \(it is null\)/,
      },
      { label: 'refresh whose only checkpoint is the whole fleet', resources: [appGroup(), refreshCommand({ ...rolloutPreferences, CheckpointPercentages: [100] })], violation: /CheckpointPercentages must stop below 100/ },
      { label: 'refresh stopping for good at half the fleet', resources: [appGroup(), refreshCommand({ ...rolloutPreferences, CheckpointPercentages: [50] })], violation: /ending at 100/ },
      { label: 'refresh not waiting at its checkpoint', resources: [appGroup(), refreshCommand({ ...rolloutPreferences, CheckpointDelay: 0 })], violation: /CheckpointDelay must give the alarms time/ },
    ],
  ],
  [
    albWafAssociation,
    [
      { label: 'ALB with a web ACL', resources: [alb, webAcl, associationWith('alb')], violation: null },
      { label: 'network load balancer without one', resources: [{ ...alb, props: { loadBalancerType: 'network' } }], violation: null },
      { label: 'ALB without a web ACL', resources: [alb, webAcl], violation: /load balancer alb must be associated with a WAF web ACL/ },
      { label: 'ALB reached only through CloudFront, whose distribution runs a web ACL', resources: behindCloudFront, violation: null },
      {
        label: 'ALB behind a CloudFront distribution without a web ACL',
        resources: [alb, albListener(), forwardWhenHeader(ORIGIN_HEADER), guardedDistribution({ webAclId: undefined })],
        violation: /load balancer alb must be associated with a WAF web ACL, or serve only requests carrying the origin header/,
      },
      {
        label: 'ALB behind a guarded distribution that also forwards requests without the origin header',
        resources: [alb, albListener([{ type: 'forward', targetGroupArn: 'app-tg' }]), forwardWhenHeader(ORIGIN_HEADER), guardedDistribution()],
        violation: /load balancer alb must be associated/,
      },
      {
        label: 'ALB behind a guarded distribution forwarding on a rule that requires no header',
        resources: [alb, albListener(), forwardWhenHeader(), guardedDistribution()],
        violation: /load balancer alb must be associated/,
      },
      {
        label: 'ALB forwarding on a header the distribution does not send',
        resources: [alb, albListener(), forwardWhenHeader('X-Other-Header'), guardedDistribution()],
        violation: /load balancer alb must be associated/,
      },
      {
        label: 'web ACL on another load balancer',
        resources: [alb, { ...alb, name: 'internal-alb' }, webAcl, associationWith('internal-alb')],
        violation: /load balancer alb must be associated/,
      },
    ],
  ],
  [
    logBucketHardened,
    [
      { label: 'hardened bucket of ALB access logs', resources: [logBucket, sseS3, expiry(), publicAccessBlock(), albLoggingTo('logs-id')], violation: null },
      { label: 'bucket nothing logs to, beside a hardened log bucket', resources: [{ ...logBucket, name: 'assets' }, albLoggingTo('logs-id'), logBucket, sseS3, expiry(), publicAccessBlock()], violation: null },
      { label: 'ALB logging to a bucket with no settings', resources: [logBucket, albLoggingTo('logs-id')], violation: /log bucket logs lacks SSE-S3 encryption.*; a lifecycle rule.*; a public access block/ },
      { label: 'flow logs to an SSE-KMS bucket', resources: [vpc, logBucket, sseKms, expiry(), publicAccessBlock(), flowLog()], violation: /lacks SSE-S3 encryption/ },
      { label: 'bucket whose expiry is disabled', resources: [logBucket, sseS3, expiry('Disabled'), publicAccessBlock(), albLoggingTo('logs-id')], violation: /lacks a lifecycle rule expiring the logs/ },
      { label: 'bucket not restricting public buckets', resources: [logBucket, sseS3, expiry(), publicAccessBlock(false), albLoggingTo('logs-id')], violation: /lacks a public access block/ },
    ],
  ],
  [
    vpcFlowLogs,
    [
      { label: 'VPC with a flow log of all traffic', resources: [vpc, logBucket, flowLog()], violation: null },
      { label: 'VPC without flow logs', resources: [vpc], violation: /VPC vpc must have a flow log with trafficType ALL/ },
      { label: 'VPC logging rejected traffic only', resources: [vpc, logBucket, flowLog({ trafficType: 'REJECT' })], violation: /must have a flow log with trafficType ALL/ },
      { label: 'flow log of another VPC', resources: [vpc, { ...vpc, name: 'other-vpc' }, flowLog({ vpcId: 'other-vpc-id' })], violation: /VPC vpc must have a flow log/ },
    ],
  ],
  [
    vpcS3GatewayEndpoint,
    [
      { label: 'VPC with an S3 gateway endpoint on its app routes', resources: [vpc, appRoutes, s3Endpoint()], violation: null },
      { label: 'VPC without endpoints', resources: [vpc, appRoutes], violation: /VPC vpc must have an S3 gateway endpoint/ },
      {
        label: 'VPC with an S3 interface endpoint only',
        resources: [vpc, appRoutes, s3Endpoint({ vpcEndpointType: 'Interface', routeTableIds: undefined })],
        violation: /must have an S3 gateway endpoint/,
      },
      {
        label: 'VPC with a DynamoDB gateway endpoint only',
        resources: [vpc, appRoutes, s3Endpoint({ serviceName: 'com.amazonaws.eu-west-1.dynamodb' })],
        violation: /must have an S3 gateway endpoint/,
      },
      {
        label: 'VPC whose S3 endpoint belongs to another VPC',
        resources: [vpc, { ...vpc, name: 'other-vpc' }, appRoutes, s3Endpoint({ vpcId: 'other-vpc-id' })],
        violation: /VPC vpc must have an S3 gateway endpoint/,
      },
      {
        label: 'S3 gateway endpoint on no route table',
        resources: [vpc, s3Endpoint({ routeTableIds: [] })],
        violation: /must be attached to its private route tables/,
      },
    ],
  ],
]);

describe('policy pack contents', () => {
  it('has unique names and every policy is covered by the cases below', () => {
    const names = policies.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...cases.keys(), ...stackCases.keys()].map((policy) => policy.name).sort()).toEqual([...names].sort());
  });

  it('enforces every policy except the ElastiCache one as mandatory', () => {
    const levels = Object.fromEntries(policies.map((policy) => [policy.name, policy.enforcementLevel]));
    expect(levels).toEqual({
      'rds-storage-encrypted': 'mandatory',
      'rds-master-password-managed': 'mandatory',
      'rds-requires-tls': 'mandatory',
      'rds-not-public': 'mandatory',
      'rds-backup-retention': 'mandatory',
      'rds-deletion-protection-in-production': 'mandatory',
      'alb-https-only': 'mandatory',
      'cloudfront-origin-secret': 'mandatory',
      'cloudfront-alias-without-health-evaluation': 'mandatory',
      'no-open-ingress': 'mandatory',
      'no-ssh': 'mandatory',
      'imdsv2-required': 'mandatory',
      'encrypted-volumes': 'mandatory',
      'asg-refresh-rolls-back': 'mandatory',
      'asg-refresh-checkpoints': 'mandatory',
      'asg-desired-capacity-ignored': 'mandatory',
      'log-group-retention': 'mandatory',
      'elasticache-encryption': 'advisory',
      'vpc-s3-gateway-endpoint': 'mandatory',
      'alb-access-logs': 'mandatory',
      'log-bucket-hardened': 'mandatory',
      'vpc-flow-logs': 'mandatory',
      'waf-login-rate-limit': 'mandatory',
      'waf-managed-rule-groups': 'mandatory',
      'alb-waf-association': 'mandatory',
      'rds-offsite-backup': 'mandatory',
    });
  });

  it("names the deployment guide's review item each policy enforces", () => {
    for (const policy of policies) {
      expect(policy.framework?.reference).toMatch(/^(Security Review|Database Review|Monthly Tasks|Quarterly Tasks)$/);
    }
  });
});

/** Each policy judged both ways: every compliant case passes it, every violating one is reported. */
function describeBothWays<Policy extends { name: string }, Case extends { label: string; violation: RegExp | null }>(
  entries: Map<Policy, Case[]>,
  violationsFor: (policy: Policy, policyCase: Case) => Promise<string[]>,
  alsoCheck: (policy: Policy) => void = () => undefined,
): void {
  describe.each([...entries].map(([policy, policyCases]) => [policy.name, policy, policyCases] as const))('%s', (_name, policy, policyCases) => {
    it('has at least one compliant and one violating case', () => {
      expect(policyCases.some((policyCase) => policyCase.violation === null)).toBe(true);
      expect(policyCases.some((policyCase) => policyCase.violation !== null)).toBe(true);
    });

    it.each(policyCases.filter((policyCase) => policyCase.violation === null).map((c) => [c.label, c] as const))(
      'accepts %s',
      async (_label, policyCase) => {
        expect(await violationsFor(policy, policyCase)).toEqual([]);
      },
    );

    it.each(policyCases.filter((policyCase) => policyCase.violation !== null).map((c) => [c.label, c] as const))(
      'reports %s',
      async (_label, policyCase) => {
        const violations = await violationsFor(policy, policyCase);
        expect(violations).toEqual(expect.arrayContaining([expect.stringMatching(policyCase.violation as RegExp)]));
      },
    );

    alsoCheck(policy);
  });
}

describeBothWays(
  cases,
  (policy, policyCase) => violationsOf(policy, policyCase.resource),
  (policy) =>
    it('ignores resources of other types', async () => {
      expect(await violationsOf(policy, { type: 'aws:s3/bucket:Bucket', props: { bucket: 'assets' } })).toEqual([]);
    }),
);
describeBothWays(stackCases, (policy, policyCase) => stackViolationsOf(policy, policyCase.resources));

describe('the policies over the AWS program', () => {
  const PROGRAM_RUN_TIMEOUT_MS = 120_000;
  const variants: Array<{ stack: string; config: Record<string, string>; label: string }> = [
    { stack: 'prod', config: { environment: 'prod' }, label: 'prod stack' },
    { stack: 'staging', config: { environment: 'staging' }, label: 'staging stack' },
    { stack: 'prod', config: { environment: 'prod', enableCloudFront: 'true', enableCloudWatchAgent: 'true' }, label: 'prod stack with CloudFront and the CloudWatch agent' },
  ];
  const applicablePolicies = new Set<string>();

  it.each(variants)('find no violation in any resource of the $label', async ({ stack, config, label }) => {
    const resources = await runAwsProgram(config, stack);
    const violations: string[] = [];
    let evaluations = 0;
    let applicableEvaluations = 0;
    for (const resource of resources) {
      for (const policy of resourcePolicies) {
        const result = await evaluate(policy, { type: resource.type, props: resource.inputs, name: resource.name, stack, ignoreChanges: resource.ignoreChanges });
        evaluations += 1;
        if (result.applicable) {
          applicableEvaluations += 1;
          applicablePolicies.add(policy.name);
        }
        violations.push(...result.violations.map((message) => `${policy.name} on ${resource.type} ${resource.name}: ${message}`));
      }
    }
    const stackResources = resources.map((resource) => ({ type: resource.type, name: resource.name, props: resource.inputs, ignoreChanges: resource.ignoreChanges }));
    for (const policy of stackPolicies) {
      evaluations += 1;
      applicableEvaluations += 1;
      applicablePolicies.add(policy.name);
      violations.push(...(await stackViolationsOf(policy, stackResources, stack)).map((message) => `${policy.name}: ${message}`));
    }
    process.stdout.write(
      `policy pack over the ${label}: ${resources.length} resources, ${evaluations} policy evaluations ` +
        `(${applicableEvaluations} applicable), ${violations.length} violations\n`,
    );
    expect(violations).toEqual([]);
  }, PROGRAM_RUN_TIMEOUT_MS);

  it('met every policy in some resource of those stacks, so a clean result is not vacuous', () => {
    expect([...applicablePolicies].sort()).toEqual(policies.map((policy) => policy.name).sort());
  });
});
