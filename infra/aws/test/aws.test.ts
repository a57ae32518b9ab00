import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { BASE_AWS_CONFIG, MOCK_ACCOUNT_ID, MOCK_SECRET_PREFIX, loadAwsProgram, type AwsProgramRun } from './awsProgram';
import { isSecretInput, plainInput, type MockResource } from '../../test/mockEngine';
import { BODY_LIMIT } from '../../../app/src/app';
import { APP_BODY_LIMIT_BYTES } from '../src/wafRules';
import { CORE_BODY_LABELS } from '../src/wafMarkdownBodies';
import { matches, type LabelledRequest } from './wafStatement';

const T = {
  vpc: 'aws:ec2/vpc:Vpc',
  subnet: 'aws:ec2/subnet:Subnet',
  natGateway: 'aws:ec2/natGateway:NatGateway',
  routeTable: 'aws:ec2/routeTable:RouteTable',
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  loadBalancer: 'aws:lb/loadBalancer:LoadBalancer',
  listener: 'aws:lb/listener:Listener',
  listenerRule: 'aws:lb/listenerRule:ListenerRule',
  targetGroup: 'aws:lb/targetGroup:TargetGroup',
  certificate: 'aws:acm/certificate:Certificate',
  certificateValidation: 'aws:acm/certificateValidation:CertificateValidation',
  record: 'aws:route53/record:Record',
  distribution: 'aws:cloudfront/distribution:Distribution',
  awsProvider: 'pulumi:providers:aws',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  autoScalingGroup: 'aws:autoscaling/group:Group',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  rolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  instanceProfile: 'aws:iam/instanceProfile:InstanceProfile',
  dbInstance: 'aws:rds/instance:Instance',
  dbParameterGroup: 'aws:rds/parameterGroup:ParameterGroup',
  dbSubnetGroup: 'aws:rds/subnetGroup:SubnetGroup',
  replicationGroup: 'aws:elasticache/replicationGroup:ReplicationGroup',
  cacheSubnetGroup: 'aws:elasticache/subnetGroup:SubnetGroup',
  randomPassword: 'random:index/randomPassword:RandomPassword',
  secret: 'aws:secretsmanager/secret:Secret',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  metricAlarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  snsSubscription: 'aws:sns/topicSubscription:TopicSubscription',
  snsTopic: 'aws:sns/topic:Topic',
  kmsKey: 'aws:kms/key:Key',
  vpcEndpoint: 'aws:ec2/vpcEndpoint:VpcEndpoint',
  bucket: 'aws:s3/bucket:Bucket',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  bucketLifecycle: 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  bucketPublicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketOwnershipControls: 'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  flowLog: 'aws:ec2/flowLog:FlowLog',
  webAcl: 'aws:wafv2/webAcl:WebAcl',
  webAclAssociation: 'aws:wafv2/webAclAssociation:WebAclAssociation',
  ipSet: 'aws:wafv2/ipSet:IpSet',
  command: 'command:local:Command',
};

const ofType = (run: AwsProgramRun, type: string): MockResource[] => run.resources.filter((resource) => resource.type === type);
function single(run: AwsProgramRun, type: string): MockResource {
  const found = ofType(run, type);
  expect(found).toHaveLength(1);
  return found[0];
}
function named(run: AwsProgramRun, type: string, suffix: string): MockResource {
  const found = ofType(run, type).filter((resource) => resource.name.endsWith(suffix));
  expect(found.map((resource) => resource.name)).toHaveLength(1);
  return found[0];
}
/** The mock engine gives each resource the id `<name>-id`. */
const idOf = (resource: MockResource) => `${resource.name}-id`;
const subnetsOfTier = (run: AwsProgramRun, tier: string) => ofType(run, T.subnet).filter((subnet) => subnet.inputs.tags.Tier === tier);

const ANYWHERE = ['0.0.0.0/0', '::/0'];
/** The secret RDS keeps the master credentials in, as the mock provider names it. */
const MASTER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-todobox-prod-db-id-XyZ123';
const STAGING = { environment: 'staging', dbMultiAz: 'false', cacheNodes: '1', singleNatGateway: 'true' };
const WITH_CLOUDFRONT = { enableCloudFront: 'true', alarmEmail: 'oncall@example.com', wafAllowedCidrs: '203.0.113.0/24, 198.51.100.7/32' };

let prod: AwsProgramRun;
let staging: AwsProgramRun;
let cloudFront: AwsProgramRun;

beforeAll(async () => {
  prod = await loadAwsProgram(BASE_AWS_CONFIG, 'prod');
  staging = await loadAwsProgram({ ...BASE_AWS_CONFIG, ...STAGING }, 'staging');
  cloudFront = await loadAwsProgram({ ...BASE_AWS_CONFIG, ...WITH_CLOUDFRONT }, 'prod');
}, 60000);

describe('network', () => {
  it('spreads public, app and data subnets over two availability zones', () => {
    expect(single(prod, T.vpc).inputs.cidrBlock).toBe('10.0.0.0/16');
    for (const tier of ['public', 'app', 'data']) {
      const subnets = subnetsOfTier(prod, tier);
      expect(subnets).toHaveLength(2);
      expect(new Set(subnets.map((subnet) => subnet.inputs.availabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    }
    expect(ofType(prod, T.subnet).every((subnet) => subnet.inputs.mapPublicIpOnLaunch === false)).toBe(true);
  });

  it('routes only the public subnets to the internet gateway, the app subnets through NAT, the data subnets nowhere', () => {
    const publicIds = subnetsOfTier(prod, 'public').map(idOf);
    const natGateways = ofType(prod, T.natGateway);
    expect(natGateways).toHaveLength(2);
    expect(natGateways.every((nat) => publicIds.includes(nat.inputs.subnetId))).toBe(true);

    const publicRoutes = named(prod, T.routeTable, 'public-rt').inputs.routes;
    expect(publicRoutes.every((route: { gatewayId?: string }) => route.gatewayId?.endsWith('igw-id'))).toBe(true);
    const appTables = ofType(prod, T.routeTable).filter((table) => table.name.includes('-app-rt-'));
    expect(appTables).toHaveLength(2);
    for (const table of appTables) {
      expect(table.inputs.routes).toEqual([{ cidrBlock: '0.0.0.0/0', natGatewayId: expect.stringMatching(/-nat-\d-id$/) }]);
    }
    expect(named(prod, T.routeTable, 'data-rt').inputs.routes ?? []).toEqual([]);
  });

  it('uses one NAT gateway when singleNatGateway is set', () => {
    expect(ofType(staging, T.natGateway)).toHaveLength(1);
  });

  it('sends the app subnets\' S3 traffic through a gateway endpoint rather than NAT', () => {
    const endpoint = single(prod, T.vpcEndpoint).inputs;
    expect(endpoint).toMatchObject({ vpcId: idOf(single(prod, T.vpc)), serviceName: 'com.amazonaws.us-east-1.s3', vpcEndpointType: 'Gateway' });
    const appTables = ofType(prod, T.routeTable).filter((table) => table.name.includes('-app-rt-'));
    expect(endpoint.routeTableIds).toEqual(appTables.map(idOf));
    expect(single(staging, T.vpcEndpoint).inputs.routeTableIds).toHaveLength(2);
  });
});

describe('security groups', () => {
  const group = (run: AwsProgramRun, suffix: string) => named(run, T.securityGroup, suffix);
  type Rule = { fromPort: number; toPort: number; cidrBlocks?: string[]; ipv6CidrBlocks?: string[]; securityGroups?: string[] };
  const ingress = (resource: MockResource): Rule[] => resource.inputs.ingress ?? [];

  it('opens only 80 and 443 to the internet, on the load balancer', () => {
    for (const run of [prod, cloudFront]) {
      for (const securityGroup of ofType(run, T.securityGroup)) {
        for (const rule of ingress(securityGroup)) {
          const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some((cidr) => ANYWHERE.includes(cidr));
          if (open) {
            expect(securityGroup.name).toMatch(/-alb-sg$/);
            expect([80, 443]).toContain(rule.fromPort);
            expect(rule.toPort).toBe(rule.fromPort);
          }
        }
      }
    }
    expect(ingress(group(prod, 'alb-sg')).map((rule) => rule.fromPort).sort()).toEqual([443, 80]);
  });

  it('has no SSH rule anywhere', () => {
    const rules = ofType(prod, T.securityGroup).flatMap((securityGroup) => [...ingress(securityGroup), ...(securityGroup.inputs.egress ?? [])]);
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((rule: Rule) => rule.fromPort <= 22 && rule.toPort >= 22)).toEqual([]);
  });

  it('lets the app port in from the load balancer only and metrics from the monitoring group only', () => {
    const albId = idOf(group(prod, 'alb-sg'));
    const monitoringId = idOf(group(prod, 'monitoring-sg'));
    const rules = ingress(group(prod, 'app-sg'));
    expect(rules.map((rule) => [rule.fromPort, rule.securityGroups, rule.cidrBlocks])).toEqual([
      [9191, [albId], undefined],
      [9464, [monitoringId], undefined],
      [9100, [monitoringId], undefined],
    ]);
    expect(ingress(group(prod, 'monitoring-sg'))).toEqual([]);
  });

  it('lets MySQL and Redis in from the app servers and the monitoring host only', () => {
    const appId = idOf(group(prod, 'app-sg'));
    const monitoringId = idOf(group(prod, 'monitoring-sg'));
    for (const [suffix, port] of [['db-sg', 3306], ['cache-sg', 6379]] as const) {
      expect(ingress(group(prod, suffix))).toEqual([
        expect.objectContaining({ fromPort: port, toPort: port, securityGroups: [appId] }),
        expect.objectContaining({ fromPort: port, toPort: port, securityGroups: [monitoringId] }),
      ]);
    }
  });
});

describe('load balancer', () => {
  it('sits in the public subnets only', () => {
    const alb = single(prod, T.loadBalancer);
    expect(alb.inputs.internal).toBe(false);
    expect(alb.inputs.loadBalancerType).toBe('application');
    expect(alb.inputs.subnets).toEqual(subnetsOfTier(prod, 'public').map(idOf));
    expect(alb.inputs.dropInvalidHeaderFields).toBe(true);
    expect(alb.inputs.enableDeletionProtection).toBe(true);
    expect(single(staging, T.loadBalancer).inputs.enableDeletionProtection).toBe(false);
  });

  it('serves HTTPS with a modern TLS policy and a certificate validated through Route53', () => {
    const certificate = single(prod, T.certificate);
    expect(certificate.inputs).toMatchObject({ domainName: 'todo.example.com', validationMethod: 'DNS' });
    const validationRecord = named(prod, T.record, 'alb-cert-validation');
    expect(validationRecord.inputs).toMatchObject({ type: 'CNAME', zoneId: 'Z0123456789ABCDEFGHIJ', name: '_a79865eb4cd1a6ab990a45779b4e0b96.todo.example.com.' });
    const validation = single(prod, T.certificateValidation);
    expect(validation.inputs.certificateArn).toMatch(/alb-cert-id$/);
    expect(validation.inputs.validationRecordFqdns).toHaveLength(1);

    const https = ofType(prod, T.listener).find((listener) => listener.inputs.port === 443) as MockResource;
    expect(https.inputs.protocol).toBe('HTTPS');
    expect(https.inputs.sslPolicy).toMatch(/^ELBSecurityPolicy-TLS13-/);
    expect(https.inputs.certificateArn).toBe(validation.inputs.certificateArn);
    expect(https.inputs.defaultActions).toEqual([expect.objectContaining({ type: 'forward', targetGroupArn: expect.stringMatching(/app-tg-id$/) })]);
  });

  it('redirects HTTP to HTTPS with a 301', () => {
    const listeners = ofType(prod, T.listener);
    expect(listeners.map((listener) => listener.inputs.port).sort()).toEqual([443, 80]);
    const http = listeners.find((listener) => listener.inputs.port === 80) as MockResource;
    expect(http.inputs.protocol).toBe('HTTP');
    expect(http.inputs.defaultActions).toEqual([
      expect.objectContaining({ type: 'redirect', redirect: expect.objectContaining({ protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' }) }),
    ]);
  });

  it('health-checks /healthz on port 9191 and drains longer than the app shuts down', () => {
    const targetGroup = single(prod, T.targetGroup);
    expect(targetGroup.inputs).toMatchObject({ port: 9191, protocol: 'HTTP', healthCheck: expect.objectContaining({ path: '/healthz', matcher: '200' }) });
    expect(targetGroup.inputs.deregistrationDelay).toBeGreaterThan(25);
  });

  it('answers /metrics from the internet with 404', () => {
    const rule = single(prod, T.listenerRule);
    expect(rule.inputs.conditions[0].pathPattern.values).toContain('/metrics');
    expect(rule.inputs.actions[0]).toMatchObject({ type: 'fixed-response', fixedResponse: expect.objectContaining({ statusCode: '404' }) });
  });
});

describe('DNS and CloudFront', () => {
  const aliases = (run: AwsProgramRun, hostName: string) =>
    ofType(run, T.record).filter((record) => record.inputs.name === hostName && record.inputs.aliases !== undefined);

  it('points A and AAAA aliases for the domain at the load balancer without CloudFront', () => {
    const records = aliases(prod, 'todo.example.com');
    expect(records.map((record) => record.inputs.type).sort()).toEqual(['A', 'AAAA']);
    for (const record of records) {
      expect(record.inputs.aliases[0]).toMatchObject({ name: expect.stringContaining('.elb.amazonaws.com'), zoneId: 'Z35SXDOTRQ7X7K' });
    }
    expect(ofType(prod, T.distribution)).toEqual([]);
    expect(single(prod, T.loadBalancer).inputs.ipAddressType).toBe('dualstack');
  });

  it('puts CloudFront in front only with enableCloudFront, caching /static/* and passing the rest', () => {
    const distribution = single(cloudFront, T.distribution).inputs;
    expect(distribution.aliases).toEqual(['todo.example.com']);
    // A secret as a whole: the origin carries the load balancer's secret header.
    expect(plainInput<Array<Record<string, unknown>>>(distribution.origins)[0]).toMatchObject({
      domainName: 'origin.todo.example.com',
      customOriginConfig: expect.objectContaining({ originProtocolPolicy: 'https-only' }),
    });
    expect(distribution.defaultCacheBehavior).toMatchObject({
      viewerProtocolPolicy: 'redirect-to-https',
      cachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      allowedMethods: expect.arrayContaining(['POST', 'DELETE']),
    });
    // Static names carry their fingerprint in the path, so the managed path-keyed policy is enough:
    // a new release is a new cache entry at the edge, never the CSS or JS of the release before.
    expect(distribution.orderedCacheBehaviors).toEqual([
      expect.objectContaining({ pathPattern: '/static/*', cachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' }),
    ]);
    expect(ofType(cloudFront, 'aws:cloudfront/cachePolicy:CachePolicy')).toEqual([]);
    expect(distribution.viewerCertificate).toMatchObject({ sslSupportMethod: 'sni-only', acmCertificateArn: expect.stringMatching(/cdn-cert-id$/) });
  });

  it('issues the CloudFront certificate in us-east-1 and moves the load balancer to its origin name', () => {
    expect(ofType(cloudFront, T.awsProvider).map((provider) => provider.inputs.region)).toContain('us-east-1');
    expect(ofType(cloudFront, T.certificate).map((certificate) => certificate.inputs.domainName).sort()).toEqual([
      'origin.todo.example.com',
      'todo.example.com',
    ]);
    expect(ofType(cloudFront, T.certificateValidation)).toHaveLength(2);
    for (const record of aliases(cloudFront, 'todo.example.com')) {
      expect(record.inputs.aliases[0]).toMatchObject({ name: 'd111111abcdef8.cloudfront.net', zoneId: 'Z2FDTNDATAQYW2' });
    }
    expect(aliases(cloudFront, 'origin.todo.example.com')).toHaveLength(2);
  });
});

describe('app servers', () => {
  it('launch with IMDSv2 required, an encrypted gp3 root volume, no public IP and no key pair', () => {
    const template = single(prod, T.launchTemplate).inputs;
    expect(template.metadataOptions).toMatchObject({ httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(template.blockDeviceMappings).toHaveLength(1);
    expect(template.blockDeviceMappings[0].ebs).toMatchObject({ encrypted: 'true', volumeType: 'gp3' });
    expect(template.networkInterfaces).toEqual([expect.objectContaining({ associatePublicIpAddress: 'false' })]);
    expect(template.keyName).toBeUndefined();
    expect(template.iamInstanceProfile.arn).toMatch(/app-profile-id$/);
    expect(template.imageId).toBe('ami-0abcdef1234567890');
  });

  it('boot with Node 24, the app, node_exporter and the systemd unit, reading their environment from Secrets Manager', () => {
    const userData = Buffer.from(single(prod, T.launchTemplate).inputs.userData, 'base64').toString('utf8');
    const secretArn = named(prod, T.secret, '-app-env').name;
    expect(userData).toMatch(/^#!\/bin\/bash\nset -euo pipefail\n/);
    expect(userData).toContain('curl -fsSLO https://nodejs.org/dist/latest-v24.x/SHASUMS256.txt');
    expect(userData).toContain("grep -oE 'node-v[0-9.]+-linux-x64\\.tar\\.xz$' SHASUMS256.txt");
    expect(userData).toContain('curl -fsSLO "https://nodejs.org/dist/latest-v24.x/$node_tarball"');
    expect(userData).toContain('sha256sum -c -');
    expect(userData).toContain('prometheus-node-exporter');
    expect(userData).toContain("aws s3 cp --region us-east-1 's3://todobox-releases/todobox/1.0.0/todobox.tar.gz'");
    expect(userData).toContain('ExecStart=/usr/bin/node app/dist/server.js');
    expect(userData).toContain('EnvironmentFile=/etc/todobox/todobox.env');
    expect(userData).toMatch(new RegExp(`secretsmanager get-secret-value --region us-east-1 --secret-id 'arn:aws:secretsmanager:[^']+:secret:${secretArn}-`));
    expect(userData).toContain('Requires=todobox-env.service');
    expect(userData).toContain('systemctl enable --now todobox.service');
    expect(userData).not.toContain(MOCK_SECRET_PREFIX);
    expect(() => execFileSync('bash', ['-n'], { input: userData, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });

  it('run under a role that reaches Session Manager, CloudWatch Logs, its own secret and its own release only', () => {
    const appAttachments = ofType(prod, T.rolePolicyAttachment).filter((attachment) => attachment.inputs.role === 'todobox-prod-app-role');
    expect(appAttachments.map((attachment) => attachment.inputs.policyArn)).toEqual([
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
    ]);
    const policy = JSON.parse(named(prod, T.rolePolicy, '-app-own-secrets').inputs.policy);
    const secret = named(prod, T.secret, '-app-env');
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Action: ['secretsmanager:GetSecretValue'], Resource: [expect.stringContaining(`:secret:${secret.name}-`)] }),
      expect.objectContaining({ Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::todobox-releases/todobox/1.0.0/todobox.tar.gz'] }),
    ]);
    expect(JSON.stringify(policy)).not.toMatch(/"\*"|:\*"/);
    expect(named(prod, T.role, '-app-role').inputs.assumeRolePolicy).toContain('ec2.amazonaws.com');
  });

  it('scale in the private app subnets behind the target group with ELB health checks and rolling refresh', () => {
    const group = single(prod, T.autoScalingGroup).inputs;
    expect(group.vpcZoneIdentifiers).toEqual(subnetsOfTier(prod, 'app').map(idOf));
    expect(group.targetGroupArns).toEqual([expect.stringMatching(/app-tg-id$/)]);
    expect(group).toMatchObject({ healthCheckType: 'ELB', minSize: 2, maxSize: 4, desiredCapacity: 2 });
    expect(group.launchTemplate).toMatchObject({ id: expect.stringMatching(/app-lt-id$/), version: '1' });
  });

  it('are launched only once their instance profile and every policy of their role exist, which the boot script needs', () => {
    const ofAppRole = (resource: MockResource) => resource.name.startsWith('todobox-prod-app-');
    const grants = [...ofType(prod, T.rolePolicy), ...ofType(prod, T.rolePolicyAttachment), named(prod, T.instanceProfile, '-app-profile')]
      .filter(ofAppRole)
      .map((grant) => grant.urn);
    // The profile, Session Manager, CloudWatch, its own secrets and release, and the backup bucket.
    expect(grants).toHaveLength(5);
    for (const server of [single(prod, T.launchTemplate), single(prod, T.autoScalingGroup)]) {
      expect({ server: server.name, dependencies: server.dependencies }).toEqual({ server: server.name, dependencies: expect.arrayContaining(grants) });
    }
  });

  it('leave the desired capacity to scaling, and the launch template version to instance refreshes, after creation', () => {
    expect([...(single(prod, T.autoScalingGroup).ignoreChanges ?? [])].sort()).toEqual(['desiredCapacity', 'launchTemplate']);
  });
});

describe('database', () => {
  it('is MySQL 8.4, encrypted, private, Multi-AZ, backed up 7 days, with Performance Insights and log exports', () => {
    const db = single(prod, T.dbInstance).inputs;
    expect(db).toMatchObject({
      engine: 'mysql',
      engineVersion: '8.4',
      storageEncrypted: true,
      publiclyAccessible: false,
      multiAz: true,
      performanceInsightsEnabled: true,
      autoMinorVersionUpgrade: true,
    });
    expect(db.backupRetentionPeriod).toBeGreaterThanOrEqual(7);
    expect(db.enabledCloudwatchLogsExports).toEqual(expect.arrayContaining(['slowquery', 'error']));
    expect(db.vpcSecurityGroupIds).toEqual([expect.stringMatching(/-db-sg-id$/)]);
  });

  it('leaves the master password to RDS, which keeps it in Secrets Manager: the program never knows it', () => {
    const db = single(prod, T.dbInstance).inputs;
    expect(db).toMatchObject({ username: 'todobox', manageMasterUserPassword: true });
    expect(db.password).toBeUndefined();
  });

  it('keeps deletion protection and a final snapshot in prod, and relaxes both in staging', () => {
    const production = single(prod, T.dbInstance).inputs;
    expect(production).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: 'todobox-prod-db-final' });
    const relaxed = single(staging, T.dbInstance).inputs;
    expect(relaxed).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true, multiAz: false });
    expect(relaxed.finalSnapshotIdentifier).toBeUndefined();
    expect(relaxed.storageEncrypted).toBe(true);
  });

  it('sits in the data subnets with the slow query log of the guide turned on', () => {
    expect(single(prod, T.dbSubnetGroup).inputs.subnetIds).toEqual(subnetsOfTier(prod, 'data').map(idOf));
    const parameters = single(prod, T.dbParameterGroup);
    expect(parameters.inputs.family).toBe('mysql8.4');
    const values = Object.fromEntries(parameters.inputs.parameters.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(values).toEqual({ slow_query_log: '1', long_query_time: '2', log_output: 'FILE', require_secure_transport: '1' });
    expect(single(prod, T.dbInstance).inputs.parameterGroupName).toBe(parameters.name);
  });
});

describe('Redis', () => {
  it('encrypts in transit and at rest, requires the generated auth token and fails over automatically', () => {
    const redis = single(prod, T.replicationGroup).inputs;
    expect(redis).toMatchObject({ transitEncryptionEnabled: true, atRestEncryptionEnabled: true, numCacheClusters: 2, automaticFailoverEnabled: true });
    expect(isSecretInput(redis.authToken)).toBe(true);
    expect(plainInput(redis.authToken)).toHaveLength(32);
    expect(redis.securityGroupIds).toEqual([expect.stringMatching(/-cache-sg-id$/)]);
    expect(single(prod, T.cacheSubnetGroup).inputs.subnetIds).toEqual(subnetsOfTier(prod, 'data').map(idOf));
  });

  it('does not ask for failover with a single node', () => {
    expect(single(staging, T.replicationGroup).inputs).toMatchObject({ numCacheClusters: 1, automaticFailoverEnabled: false, transitEncryptionEnabled: true });
  });
});

describe('secrets', () => {
  it('generates SECRET_KEY, SALT, the app\'s and the exporter\'s database passwords, the Redis token and METRICS_TOKEN', () => {
    const lengths = Object.fromEntries(ofType(prod, T.randomPassword).map((password) => [password.name.replace('todobox-prod-', ''), password.inputs.length]));
    expect(lengths).toEqual({
      'secret-key': 64,
      salt: 32,
      'db-app-password': 32,
      'db-exporter-password': 32,
      'redis-auth-token': 32,
      'metrics-token': 48,
      'grafana-admin-password': 32,
    });
  });

  it('stores the whole app environment as JSON in one Secrets Manager secret', () => {
    named(prod, T.secret, '-app-env');
    const secretString = named(prod, T.secretVersion, '-app-env-version').inputs.secretString;
    expect(isSecretInput(secretString)).toBe(true);
    const environment = JSON.parse(plainInput<string>(secretString));
    expect(environment).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_DEFAULT: 'mysql',
      DB_URL: expect.stringContaining('.rds.amazonaws.com'),
      DB_PORT: '3306',
      DB_NAME: 'todobox',
      PORT: '9191',
      METRICS_PORT: '9464',
      REDIS_URL: expect.stringMatching(/^rediss:\/\/:[A-Za-z0-9]{32}@master\..+:6379\/0$/),
    });
    expect(environment.SECRET_KEY).toHaveLength(64);
    expect(environment.SALT).toHaveLength(32);
    expect(environment.METRICS_TOKEN).toHaveLength(48);
  });

  it('gives the app its own database user, never the master, and the exporter a user of its own', () => {
    const environment = JSON.parse(plainInput<string>(named(prod, T.secretVersion, '-app-env-version').inputs.secretString));
    const appPassword = environment.DB_PW;
    expect(appPassword).toMatch(new RegExp(`^${MOCK_SECRET_PREFIX}todoboxproddbapppassword`));
    expect(environment.DB_USER).toBe('todobox_app');
    expect([environment.DATABASE_DEFAULT, environment.DB_PORT, environment.DB_NAME]).toEqual(['mysql', '3306', 'todobox']);
    expect(environment.DB_EXPORTER_USER).toBe('todobox_exporter');
    expect(environment.DB_EXPORTER_PASSWORD).toMatch(new RegExp(`^${MOCK_SECRET_PREFIX}todoboxproddbexporter`));
    expect(environment).not.toHaveProperty('DB_ADMIN_USER');
    expect(environment).not.toHaveProperty('DB_ADMIN_PASSWORD');
  });
});

describe('behind CloudFront', () => {
  it('takes HTTPS from CloudFront\'s origin-facing addresses only, and nothing on port 80', () => {
    const group = named(cloudFront, T.securityGroup, 'alb-sg').inputs;
    expect(group.ingress).toEqual([expect.objectContaining({ fromPort: 443, toPort: 443, prefixListIds: ['pl-3b927c52'] })]);
    expect(JSON.stringify(group.ingress)).not.toMatch(/0\.0\.0\.0\/0|::\/0/);
    expect(named(prod, T.securityGroup, 'alb-sg').inputs.ingress.map((rule: { fromPort: number }) => rule.fromPort)).toEqual([80, 443]);
  });

  it('answers 403 to a request without CloudFront\'s secret header, which CloudFront sends with every request', () => {
    const listener = named(cloudFront, T.listener, '-https').inputs;
    expect(listener.defaultActions).toEqual([expect.objectContaining({ type: 'fixed-response', fixedResponse: expect.objectContaining({ statusCode: '403' }) })]);
    const rules = ofType(cloudFront, 'aws:lb/listenerRule:ListenerRule');
    const rule = rules.find((each) => each.name.endsWith('from-cloudfront'))!.inputs;
    const hideMetrics = rules.find((each) => each.name.endsWith('hide-metrics'))!.inputs;
    // /metrics stays hidden from CloudFront's requests too.
    expect(rule.priority).toBeGreaterThan(hideMetrics.priority);
    rule.conditions = plainInput(rule.conditions);
    const secret = plainInput<string>(rule.conditions[0].httpHeader.values[0]);
    expect(rule.conditions[0].httpHeader.httpHeaderName).toBe('X-TodoBox-Origin-Secret');
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(rule.actions).toEqual([expect.objectContaining({ type: 'forward' })]);
    const [origin] = plainInput<Array<{ customHeaders: Array<{ name: string; value: unknown }> }>>(single(cloudFront, T.distribution).inputs.origins);
    expect(origin.customHeaders.map((header: { name: string; value: unknown }) => [header.name, plainInput(header.value)])).toEqual([['X-TodoBox-Origin-Secret', secret]]);
    expect(ofType(prod, 'aws:lb/listenerRule:ListenerRule').map((each) => each.name)).toEqual(['todobox-prod-hide-metrics']);
    expect(named(prod, T.listener, '-https').inputs.defaultActions).toEqual([expect.objectContaining({ type: 'forward' })]);
  });

  it('points the public name at CloudFront without evaluateTargetHealth, which Route 53 refuses for CloudFront', () => {
    const records = ofType(cloudFront, T.record).filter((record) => /-cdn-(a|aaaa)$/.test(record.name));
    expect(records).toHaveLength(2);
    for (const record of records) expect(record.inputs.aliases[0].evaluateTargetHealth).toBe(false);
    for (const record of ofType(prod, T.record).filter((each) => /-alb-(a|aaaa)$/.test(each.name))) expect(record.inputs.aliases[0].evaluateTargetHealth).toBe(true);
  });
});

describe('the database users', () => {
  let bootstrappedByInstances: AwsProgramRun;
  beforeAll(async () => {
    bootstrappedByInstances = await loadAwsProgram({ ...BASE_AWS_CONFIG, databaseBootstrap: 'instances' }, 'prod');
  }, 60000);

  const userDataOf = (run: AwsProgramRun) => Buffer.from(String(single(run, T.launchTemplate).inputs.userData), 'base64').toString('utf8');
  /** The content of a file the boot script writes with a here-document. */
  function fileWrittenBy(userData: string, file: string): string {
    const start = userData.indexOf(`cat > ${file} <<'TODOBOX_EOF'\n`);
    expect(start).toBeGreaterThanOrEqual(0);
    const body = userData.slice(userData.indexOf('\n', start) + 1);
    return body.slice(0, body.indexOf('\nTODOBOX_EOF'));
  }
  const BOOTSTRAP_SCRIPT = '/usr/local/sbin/todobox-db-bootstrap';
  const BOOTSTRAP_UNIT = '/etc/systemd/system/todobox-db-bootstrap.service';
  const DROP_IN = '/etc/systemd/system/todobox.service.d/environment.conf';
  const masterStatements = (run: AwsProgramRun) =>
    JSON.parse(named(run, T.rolePolicy, '-app-own-secrets').inputs.policy).Statement.filter((statement: { Resource: string[] }) => statement.Resource.includes(MASTER_SECRET_ARN));

  it('are left to an operator by default: no server may read the master secret, and none bootstraps on its own', () => {
    expect(masterStatements(prod)).toEqual([]);
    const userData = userDataOf(prod);
    expect(userData).not.toContain(MASTER_SECRET_ARN);
    expect(userData).not.toContain(`cat > ${BOOTSTRAP_UNIT} `);
    expect(fileWrittenBy(userData, DROP_IN)).not.toContain('todobox-db-bootstrap');
    // The operator's command, on the server: it reads the master secret from its standard input.
    expect(fileWrittenBy(userData, BOOTSTRAP_SCRIPT)).not.toContain('secretsmanager');
  });

  it('are bootstrapped once per boot with databaseBootstrap instances, from the master secret RDS keeps, without holding the app back', () => {
    expect(masterStatements(bootstrappedByInstances)).toEqual([expect.objectContaining({ Action: ['secretsmanager:GetSecretValue'] })]);
    const userData = userDataOf(bootstrappedByInstances);
    expect(fileWrittenBy(userData, BOOTSTRAP_SCRIPT)).toContain(`secretsmanager get-secret-value --region us-east-1 --secret-id '${MASTER_SECRET_ARN}'`);
    const unit = fileWrittenBy(userData, BOOTSTRAP_UNIT);
    expect(unit).toMatch(/^Type=oneshot$/m);
    // Once per boot: a restart of todobox.service finds it still active and does not run it again.
    expect(unit).toMatch(/^RemainAfterExit=yes$/m);
    expect(unit).toMatch(/^After=todobox-env\.service$/m);
    const dropIn = fileWrittenBy(userData, DROP_IN);
    // Wanted, not required: when it fails, the app still starts on the users an earlier server created.
    expect(dropIn).toMatch(/^Wants=todobox-db-bootstrap\.service$/m);
    expect(dropIn).toMatch(/^After=.*todobox-db-bootstrap\.service/m);
    expect(dropIn).not.toMatch(/^Requires=.*todobox-db-bootstrap/m);
    // The master credentials never reach the environment file, and nothing traces the commands that hold them.
    expect(fileWrittenBy(userData, '/usr/local/sbin/todobox-write-env')).not.toContain(MASTER_SECRET_ARN);
    expect(userData).not.toMatch(/set -[a-z]*x|set -o xtrace/);
  });

  /**
   * Runs the bootstrap script in a sandbox: `aws` refuses its first `refusals` calls, as it does while IAM has not
   * yet reached a new server's role, then prints the master secret; `sleep` only records how long it was asked
   * to wait; todobox.js reports what it was given.
   */
  function runBootstrap(run: AwsProgramRun, master: { username: string; password: string }, stdin: string, refusals = 0) {
    const directory = mkdtempSync(path.join(tmpdir(), 'todobox-bootstrap-'));
    try {
      const fakeCli = [
        '#!/bin/sh',
        `echo call >> ${directory}/aws-calls`,
        `[ "$(wc -l < ${directory}/aws-calls)" -gt ${refusals} ] || { echo 'AccessDeniedException' >&2; exit 254; }`,
        `cat <<'EOF'\n${JSON.stringify(master)}\nEOF`,
      ].join('\n');
      writeFileSync(path.join(directory, 'aws'), `${fakeCli}\n`, { mode: 0o755 });
      writeFileSync(path.join(directory, 'sleep'), `#!/bin/sh\necho "$1" >> ${directory}/sleeps\n`, { mode: 0o755 });
      writeFileSync(path.join(directory, 'todobox.env'), 'DB_USER=todobox_app\nDB_PW=app-password=with-equals\n');
      const cli =
        'console.log(JSON.stringify({ argv: process.argv.slice(2), user: process.env.DB_ADMIN_USER, password: process.env.DB_ADMIN_PASSWORD, appUser: process.env.DB_USER, appPassword: process.env.DB_PW }))';
      writeFileSync(path.join(directory, 'todobox.js'), cli);
      // The servers' paths, moved into the sandbox; setpriv needs root, so the command runs as the test's user.
      const script = fileWrittenBy(userDataOf(run), BOOTSTRAP_SCRIPT)
        .replace('/snap/bin/aws', path.join(directory, 'aws'))
        .replaceAll('/usr/bin/node', process.execPath)
        .replace('/etc/todobox/todobox.env', path.join(directory, 'todobox.env'))
        .replace('cd /var/www/todobox', `cd ${directory}`)
        .replace('setpriv --reuid=todobox --regid=todobox --init-groups ', '')
        .replace('bin/todobox.js', 'todobox.js');
      const result = spawnSync('bash', ['-c', script], { env: { PATH: `${directory}:${process.env.PATH}` }, input: stdin, encoding: 'utf8' });
      const lines = (file: string) => (existsSync(path.join(directory, file)) ? readFileSync(path.join(directory, file), 'utf8').trim().split('\n') : []);
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, awsCalls: lines('aws-calls').length, sleeps: lines('sleeps').map(Number) };
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }
  const master = { username: 'todobox', password: `p4ss "w'rd $HOME \\ ;` };
  const handedOver = { argv: ['db:bootstrap'], user: 'todobox', password: master.password, appUser: 'todobox_app', appPassword: 'app-password=with-equals' };

  it('hand the master credentials an operator pastes to todobox db:bootstrap in its environment, whatever characters they hold', () => {
    expect(JSON.parse(runBootstrap(prod, master, `${JSON.stringify(master)}\n`).stdout)).toEqual(handedOver);
  });

  it('hand the master credentials from Secrets Manager to todobox db:bootstrap with databaseBootstrap instances', () => {
    expect(JSON.parse(runBootstrap(bootstrappedByInstances, master, '').stdout)).toEqual(handedOver);
  });

  it('read the master secret on a later try when IAM has not yet reached a new server, waiting longer each time', () => {
    const run = runBootstrap(bootstrappedByInstances, master, '', 2);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(handedOver);
    expect({ awsCalls: run.awsCalls, sleeps: run.sleeps }).toEqual({ awsCalls: 3, sleeps: [5, 10] });
  });

  it('give up after 6 tries, naming the call that failed, and never run todobox db:bootstrap without the master secret', () => {
    const run = runBootstrap(bootstrappedByInstances, master, '', 1000);
    expect(run.status).not.toBe(0);
    expect({ awsCalls: run.awsCalls, sleeps: run.sleeps }).toEqual({ awsCalls: 6, sleeps: [5, 10, 15, 20, 25] });
    expect(run.stderr).toContain('aws secretsmanager get-secret-value failed 6 times, giving up');
    expect(run.stdout).toBe('');
  });

  it('retry every AWS CLI call the servers make, in the boot script and in the scripts it writes', () => {
    for (const run of [prod, bootstrappedByInstances]) {
      const calls = userDataOf(run).match(/^.*\/snap\/bin\/aws .*$/gm) ?? [];
      expect(calls.length).toBeGreaterThanOrEqual(2);
      for (const call of calls) expect(call).toMatch(/(^|\s|\$\()aws_retry \/snap\/bin\/aws /);
    }
  });
});

describe('the database link', () => {
  it('is TLS only: RDS refuses plain TCP, and the app checks the server against the RDS CA bundle the boot script fetches', () => {
    const parameters = single(prod, T.dbParameterGroup).inputs.parameters as Array<{ name: string; value: string }>;
    expect(parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'require_secure_transport', value: '1' })]));
    const environment = JSON.parse(plainInput<string>(named(prod, T.secretVersion, '-app-env-version').inputs.secretString));
    expect(environment).toMatchObject({ DB_SSL: 'verify', DB_SSL_CA: '/etc/todobox/rds-global-bundle.pem' });
    const userData = Buffer.from(String(single(prod, T.launchTemplate).inputs.userData), 'base64').toString('utf8');
    expect(userData).toContain('curl -fsSLo /etc/todobox/rds-global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
  });
});

describe('client addresses', () => {
  const environmentOf = (run: AwsProgramRun) => JSON.parse(plainInput<string>(named(run, T.secretVersion, '-app-env-version').inputs.secretString));

  it('trusts exactly the proxies in front: the load balancer, and CloudFront before it, never every hop', () => {
    expect(environmentOf(prod).TRUST_PROXY).toBe('1');
    expect(environmentOf(staging).TRUST_PROXY).toBe('1');
    expect(environmentOf(cloudFront).TRUST_PROXY).toBe('2');
  });
});

describe('logs', () => {
  const logBucketId = (run: AwsProgramRun) => idOf(named(run, T.bucket, '-logs'));

  it('has the load balancer write access logs under alb/ in the log bucket', () => {
    expect(single(prod, T.loadBalancer).inputs.accessLogs).toEqual({ enabled: true, bucket: logBucketId(prod), prefix: 'alb' });
    expect(single(cloudFront, T.loadBalancer).inputs.accessLogs).toMatchObject({ enabled: true });
  });

  it('keeps them private, encrypted with SSE-S3 (the only encryption ALB log delivery takes) and for 90 days', () => {
    const bucket = logBucketId(prod);
    expect(named(prod, T.bucketEncryption, '-logs-encryption').inputs).toMatchObject({
      bucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    expect(named(prod, T.bucketPublicAccessBlock, '-logs-public-access').inputs).toEqual(
      expect.objectContaining({ bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    );
    expect(named(prod, T.bucketOwnershipControls, '-logs-ownership').inputs).toMatchObject({ bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    expect(named(prod, T.bucketLifecycle, '-logs-expiry').inputs.rules).toEqual([expect.objectContaining({ status: 'Enabled', expiration: { days: 90 } })]);
    expect(named(prod, T.bucket, '-logs').inputs.forceDestroy).toBe(false);
    expect(named(staging, T.bucket, '-logs').inputs.forceDestroy).toBe(true);
  });

  it('lets ELB log delivery write under alb/ and flow log delivery under vpc-flow-logs/ of this account only, over TLS only', () => {
    const policy = JSON.parse(named(prod, T.bucketPolicy, '-logs-delivery').inputs.policy);
    const bucketArn = `arn:aws:s3:us-east-1:123456789012:${logBucketId(prod)}`;
    const bySid = Object.fromEntries(policy.Statement.map((statement: { Sid: string }) => [statement.Sid, statement]));
    expect(bySid.AlbAccessLogs).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/alb/AWSLogs/123456789012/*`,
    });
    expect(bySid.FlowLogs).toMatchObject({
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Resource: `${bucketArn}/vpc-flow-logs/AWSLogs/123456789012/*`,
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012', 's3:x-amz-acl': 'bucket-owner-full-control' } },
    });
    expect(bySid.TlsOnly).toMatchObject({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(JSON.stringify(policy.Statement.filter((statement: { Effect: string }) => statement.Effect === 'Allow'))).not.toMatch(/"Principal":"\*"|"AWS":"\*"/);
  });

  it('records every accepted and rejected connection of the VPC in flow logs to the same bucket', () => {
    expect(single(prod, T.flowLog).inputs).toMatchObject({
      vpcId: idOf(single(prod, T.vpc)),
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: `arn:aws:s3:us-east-1:123456789012:${logBucketId(prod)}/vpc-flow-logs/`,
    });
  });

  it('exports the log bucket name', async () => {
    expect((await prod.resolve<string>(prod.outputs.logBucketName)).value).toBe(logBucketId(prod));
  });
});

describe('WAF', () => {
  type WafRule = { name: string; priority: number; action?: Record<string, unknown>; overrideAction?: Record<string, unknown>; statement: MockResource['inputs']; visibilityConfig: Record<string, unknown> };
  const rulesOf = (run: AwsProgramRun): WafRule[] => single(run, T.webAcl).inputs.rules;
  const rule = (run: AwsProgramRun, name: string) => rulesOf(run).find((each) => each.name === name)!;

  it('guards the load balancer with a regional web ACL without CloudFront', () => {
    const webAcl = single(prod, T.webAcl);
    expect(webAcl.inputs).toMatchObject({ scope: 'REGIONAL', defaultAction: { allow: {} } });
    expect(single(prod, T.webAclAssociation).inputs).toEqual({
      resourceArn: `arn:aws:lb:us-east-1:123456789012:${idOf(single(prod, T.loadBalancer))}`,
      webAclArn: `arn:aws:wafv2:us-east-1:123456789012:${idOf(webAcl)}`,
    });
    expect(webAcl.provider).not.toMatch(/us-east-1/);
  });

  it('guards CloudFront with a web ACL of its own in us-east-1, where the viewer\'s address is the connection\'s', () => {
    const webAcl = single(cloudFront, T.webAcl);
    expect(webAcl.inputs).toMatchObject({ scope: 'CLOUDFRONT', defaultAction: { allow: {} } });
    const usEast1 = ofType(cloudFront, T.awsProvider).find((provider) => provider.inputs.region === 'us-east-1')!;
    expect(webAcl.provider).toMatch(new RegExp(`::${usEast1.name}::`));
    expect(single(cloudFront, T.distribution).inputs.webAclId).toBe(`arn:aws:wafv2:us-east-1:123456789012:${idOf(webAcl)}`);
    // The load balancer takes only CloudFront's requests carrying the origin secret, all of which passed this ACL.
    expect(ofType(cloudFront, T.webAclAssociation)).toEqual([]);
    expect(ofType(prod, T.distribution)).toEqual([]);
  });

  it("runs AWS's IP reputation, known bad inputs and core rule sets, the core set's 8 KB body limit and body rules only counting", () => {
    const managed = rulesOf(prod).filter((each) => each.statement.managedRuleGroupStatement);
    expect(managed.map((each) => each.statement.managedRuleGroupStatement.name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
    ]);
    for (const group of managed) {
      expect(group.overrideAction).toEqual({ none: {} });
      expect(group.statement.managedRuleGroupStatement.vendorName).toBe('AWS');
    }
    expect(rule(prod, 'AWSManagedRulesCommonRuleSet').statement.managedRuleGroupStatement.ruleActionOverrides).toEqual(
      ['SizeRestrictions_BODY', ...Object.keys(CORE_BODY_LABELS)].map((name) => ({ name, actionToUse: { count: {} } })),
    );
  });

  describe("the core set's body rules, which a todo's Markdown details set off", () => {
    const outside = () => rule(prod, 'CoreBodyRulesOutsideMarkdown');
    const blocks = (request: Omit<LabelledRequest, 'labels'>, labels: string[] = Object.values(CORE_BODY_LABELS)) =>
      labels.map((label) => matches(outside().statement, { ...request, labels: [label] }));
    const requests = (...lines: string[]) => lines.map((line) => ({ method: line.split(' ')[0], path: line.split(' ')[1] }));
    const markdownRoutes = requests('POST /todos', 'POST /todos/', 'POST /todos/42', 'POST /Todos/42/', 'POST /api/todos', 'PATCH /api/todos/42', 'PATCH /api/%74odos/42');
    const otherRoutes = requests(
      'POST /login',
      'POST /account/profile',
      'POST /todos/42/status',
      'POST /todos/42/delete',
      'POST /api/todos/42',
      'PATCH /api/todos',
      'GET /todos',
      'POST /todos-export',
      'POST /admin/users',
    );

    it('match the labels AWS documents for them', () => {
      expect(CORE_BODY_LABELS).toEqual({
        CrossSiteScripting_BODY: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
        GenericLFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
        GenericRFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body',
        EC2MetaDataSSRF_BODY: 'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body',
      });
    });

    it('still block everywhere but the routes taking Markdown, right after the core set labels the request', () => {
      expect(outside()).toMatchObject({ priority: 51, action: { block: {} } });
      for (const request of otherRoutes) expect({ ...request, blocked: blocks(request) }).toEqual({ ...request, blocked: [true, true, true, true] });
    });

    it('let HTML, code, paths and URLs through in the details the Markdown routes take', () => {
      for (const request of markdownRoutes) expect({ ...request, blocked: blocks(request) }).toEqual({ ...request, blocked: [false, false, false, false] });
    });

    it('block no request the core set did not label', () => {
      for (const request of [...otherRoutes, ...markdownRoutes]) expect(blocks(request, ['awswaf:managed:aws:core-rule-set:SizeRestrictions_Body'])).toEqual([false]);
    });
  });

  it('blocks more than 100 POST /login in 5 minutes per client address, the connection\'s at the load balancer or at CloudFront', () => {
    const direct = rule(prod, 'LoginRateLimit');
    expect(direct.action).toEqual({ block: {} });
    expect(direct.statement.rateBasedStatement).toMatchObject({ limit: 100, evaluationWindowSec: 300, aggregateKeyType: 'IP' });
    expect(direct.statement.rateBasedStatement.forwardedIpConfig).toBeUndefined();
    const [method, uriPath] = direct.statement.rateBasedStatement.scopeDownStatement.andStatement.statements;
    expect(method.byteMatchStatement).toMatchObject({ fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: 'POST' });
    expect(uriPath.regexMatchStatement.fieldToMatch).toEqual({ uriPath: {} });
    const loginPath = new RegExp(uriPath.regexMatchStatement.regexString);
    expect(['/login', '/login/'].every((path) => loginPath.test(path))).toBe(true);
    expect(['/login-help', '/logins', '/api/login'].some((path) => loginPath.test(path))).toBe(false);
    expect(uriPath.regexMatchStatement.textTransformations.map((each: { type: string }) => each.type)).toEqual(['URL_DECODE', 'LOWERCASE']);
    // Never the first X-Forwarded-For address, which the client writes itself.
    expect(rule(cloudFront, 'LoginRateLimit').statement.rateBasedStatement).toMatchObject({ aggregateKeyType: 'IP' });
    expect(rule(cloudFront, 'LoginRateLimit').statement.rateBasedStatement.forwardedIpConfig).toBeUndefined();
  });

  it("blocks a declared body over the app's own limit, which it reads from the app", () => {
    // body-parser reads the limit with the bytes package, where kb and mb are powers of 1024.
    const [, amount, unit] = /^(\d+)(kb|mb)$/.exec(BODY_LIMIT) ?? [];
    expect(APP_BODY_LIMIT_BYTES).toBe(Number(amount) * (unit === 'mb' ? 1024 ** 2 : 1024));
    const statement = rule(prod, 'BodyOverAppLimit').statement.regexMatchStatement;
    expect(rule(prod, 'BodyOverAppLimit').action).toEqual({ block: {} });
    expect(statement.fieldToMatch).toEqual({ singleHeader: { name: 'content-length' } });
    const overLimit = new RegExp(statement.regexString);
    const limit = APP_BODY_LIMIT_BYTES;
    expect([0, 8193, limit - 1, limit].map((size) => overLimit.test(String(size)))).toEqual([false, false, false, false]);
    expect([limit + 1, 10 * limit, 2 ** 40].map((size) => overLimit.test(String(size)))).toEqual([true, true, true]);
  });

  it('lets the wafAllowedCidrs load generators through first, by the address they connect from, at CloudFront behind it', () => {
    expect(ofType(prod, T.ipSet)).toEqual([]);
    expect(rulesOf(prod).map((each) => each.name)).not.toContain('AllowListedLoadGenerators');
    const ipSet = single(cloudFront, T.ipSet);
    expect(ipSet.inputs).toMatchObject({ scope: 'CLOUDFRONT', ipAddressVersion: 'IPV4', addresses: ['203.0.113.0/24', '198.51.100.7/32'] });
    expect(ipSet.provider).toBe(single(cloudFront, T.webAcl).provider);
    const allow = rulesOf(cloudFront)[0];
    expect(allow).toMatchObject({ name: 'AllowListedLoadGenerators', priority: 0, action: { allow: {} } });
    expect(allow.statement.ipSetReferenceStatement).toEqual({ arn: expect.stringMatching(/load-generators-id$/) });
    expect(Math.min(...rulesOf(cloudFront).slice(1).map((each) => each.priority))).toBeGreaterThan(0);
  });

  it('runs the same rules at CloudFront as at the load balancer', () => {
    const summary = (run: AwsProgramRun) => rulesOf(run).filter((each) => each.name !== 'AllowListedLoadGenerators').map((each) => [each.name, each.priority]);
    expect(summary(cloudFront)).toEqual(summary(prod));
  });

  it('keeps CloudWatch metrics and sampled requests on every rule and on the ACL', () => {
    for (const run of [prod, cloudFront]) {
      const webAcl = single(run, T.webAcl).inputs;
      const names = rulesOf(run).map((each) => each.name);
      expect(new Set(names).size).toBe(names.length);
      for (const visibilityConfig of [webAcl.visibilityConfig, ...rulesOf(run).map((each) => each.visibilityConfig)]) {
        expect(visibilityConfig).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: expect.stringMatching(/^[\w-]+$/) });
      }
    }
  });
});

describe('outputs', () => {
  it('exports the URL and endpoints, with the Redis endpoint marked secret', async () => {
    expect(prod.outputs.url).toBe('https://todo.example.com');
    const redis = await prod.resolve<string>(prod.outputs.redisEndpoint);
    expect(redis).toEqual({ value: expect.stringMatching(/^master\..+:6379$/), isSecret: true });
    const db = await prod.resolve<string>(prod.outputs.dbEndpoint);
    expect(db.value).toMatch(/\.rds\.amazonaws\.com:3306$/);
    expect((await prod.resolve<string>(prod.outputs.albDnsName)).value).toContain('.elb.amazonaws.com');
    expect((await prod.resolve<string>(prod.outputs.secretArn)).value).toMatch(/^arn:aws:secretsmanager:/);
  });

  it('exports the CloudFront domain only when CloudFront is enabled', async () => {
    expect(prod.outputs.cloudFrontDomain).toBeUndefined();
    expect((await cloudFront.resolve<string>(cloudFront.outputs.cloudFrontDomain)).value).toBe('d111111abcdef8.cloudfront.net');
  });
});

interface AlarmInputs {
  alarmActions?: unknown;
  okActions?: unknown;
  dimensions: Record<string, unknown>;
  metricQueries?: Array<{ id: string; metric?: Record<string, unknown>; expression?: string; returnData?: boolean }>;
  [name: string]: unknown;
}

describe('alarms', () => {
  const alarmsOf = (run: AwsProgramRun): Record<string, AlarmInputs> =>
    Object.fromEntries(ofType(run, T.metricAlarm).map((alarm) => [alarm.name.replace(/^todobox-prod-/, ''), alarm.inputs as AlarmInputs]));
  const EVERY_ALARM = [
    'alarm-cache-cpu-001',
    'alarm-cache-cpu-002',
    'alarm-cache-memory-001',
    'alarm-cache-memory-002',
    'alarm-certificate-expiry',
    'alarm-db-connections',
    'alarm-db-cpu',
    'alarm-db-memory',
    'alarm-db-storage',
    'alarm-elb-5xx',
    'alarm-error-ratio',
    'alarm-failed-logins',
    'alarm-latency-p95',
    'alarm-no-healthy-host',
    'alarm-unhealthy-hosts',
  ];

  it("exist in every stack, with or without alarmEmail, and all go to the stack's topic", () => {
    for (const run of [prod, cloudFront]) {
      const alarms = alarmsOf(run);
      expect(Object.keys(alarms).sort()).toEqual(EVERY_ALARM);
      const topic = single(run, T.snsTopic);
      for (const [name, alarm] of Object.entries(alarms)) {
        expect({ name, actions: alarm.alarmActions, ok: alarm.okActions }).toEqual({ name, actions: [expect.stringMatching(/:todobox-prod-alarms-id$/)], ok: [expect.stringMatching(/:todobox-prod-alarms-id$/)] });
      }
      expect(topic.name).toBe('todobox-prod-alarms');
    }
    expect(ofType(prod, T.snsSubscription)).toEqual([]);
    expect(single(cloudFront, T.snsSubscription).inputs).toMatchObject({ protocol: 'email', endpoint: 'oncall@example.com' });
  });

  it('encrypt the topic with a rotated key whose policy lets CloudWatch publish, in this account only', () => {
    const key = ofType(prod, T.kmsKey).find((candidate) => candidate.name === 'todobox-prod-alarms-key');
    expect(key?.inputs.enableKeyRotation).toBe(true);
    expect(single(prod, T.snsTopic).inputs.kmsMasterKeyId).toBe(idOf(key!));
    const statements = JSON.parse(key!.inputs.policy).Statement as Array<{ Principal?: { Service?: string } }>;
    const cloudWatch = statements.find((statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudWatch).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'aws:SourceAccount': MOCK_ACCOUNT_ID } } });
  });

  it("hold the guide's thresholds: over 1 % server errors (of 30 requests at least), p95 over 500 ms, no healthy host, the load balancer's own 5xx", () => {
    const alarms = alarmsOf(prod);
    const ratio = alarms['alarm-error-ratio'];
    expect(ratio.threshold).toBe(1);
    expect(ratio.comparisonOperator).toBe('GreaterThanThreshold');
    const queries = Object.fromEntries((ratio.metricQueries ?? []).map((query) => [query.id, query]));
    expect(queries.errors.metric).toMatchObject({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum', period: 300 });
    expect(queries.requests.metric).toMatchObject({ metricName: 'RequestCount', stat: 'Sum', period: 300 });
    expect(queries.ratio).toMatchObject({ expression: 'IF(requests >= 30, 100 * FILL(errors, 0) / requests, 0)', returnData: true });
    expect(alarms['alarm-latency-p95']).toMatchObject({ metricName: 'TargetResponseTime', extendedStatistic: 'p95', threshold: 0.5 });
    expect(alarms['alarm-no-healthy-host']).toMatchObject({ metricName: 'HealthyHostCount', statistic: 'Minimum', threshold: 1, comparisonOperator: 'LessThanThreshold', treatMissingData: 'breaching' });
    expect(alarms['alarm-elb-5xx']).toMatchObject({ metricName: 'HTTPCode_ELB_5XX_Count' });
    expect(alarms['alarm-elb-5xx'].dimensions.TargetGroup).toBeUndefined();
    expect(alarms['alarm-certificate-expiry']).toMatchObject({ namespace: 'AWS/CertificateManager', metricName: 'DaysToExpiry', threshold: 14, comparisonOperator: 'LessThanThreshold' });
    // The certificate the HTTPS listener serves.
    const https = ofType(prod, 'aws:lb/listener:Listener').find((listener) => listener.inputs.port === 443);
    expect(alarms['alarm-certificate-expiry'].dimensions.CertificateArn).toBe(https?.inputs.certificateArn);
    expect(https?.inputs.certificateArn).toEqual(expect.stringMatching(/^arn:aws:acm:.*alb-cert/));
  });

  it("watch the database's memory and connections against the app's connection budget, and every Redis node", () => {
    const alarms = alarmsOf(prod);
    expect(alarms['alarm-db-memory']).toMatchObject({ namespace: 'AWS/RDS', metricName: 'FreeableMemory', comparisonOperator: 'LessThanThreshold' });
    // The default stack: at most 4 servers, 2 workers each, 10 connections a pool: 80, alarmed past 90 %.
    expect(alarms['alarm-db-connections']).toMatchObject({ metricName: 'DatabaseConnections', threshold: 72 });
    expect(alarms['alarm-cache-memory-001']).toMatchObject({ namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', dimensions: { CacheClusterId: expect.stringMatching(/-001$/) } });
    expect(alarms['alarm-cache-memory-002'].dimensions.CacheClusterId).toMatch(/-002$/);
  });
});

describe('a rollout', () => {
  const refreshOf = (run: AwsProgramRun) => single(run, T.command).inputs;

  it('is never left to the provider, which would move the group to the new version before the refresh starts', () => {
    for (const run of [prod, cloudFront]) expect(single(run, T.autoScalingGroup).inputs.instanceRefresh).toBeUndefined();
  });

  it('starts an instance refresh of the group towards the launch template\'s newest version, on each new version', () => {
    const refresh = refreshOf(prod);
    expect(refresh.environment).toMatchObject({
      GROUP_NAME: idOf(single(prod, T.autoScalingGroup)),
      LAUNCH_TEMPLATE_ID: idOf(single(prod, T.launchTemplate)),
      LAUNCH_TEMPLATE_VERSION: '1',
      AWS_REGION: 'us-east-1',
      AWS_PAGER: '',
    });
    expect(refresh.triggers).toContain('1');
    expect(refresh.update).toBe(refresh.create);
    expect(refresh.create).toContain('--preferences "$REFRESH_PREFERENCES"');
    expect(() => execFileSync('sh', ['-n'], { input: refresh.create, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });

  it('stops at checkpoints and rolls back when the load balancer alarms go off, with or without alarmEmail', () => {
    for (const run of [prod, cloudFront]) {
      const preferences = JSON.parse(refreshOf(run).environment.REFRESH_PREFERENCES);
      expect(preferences).toMatchObject({
        AutoRollback: true,
        CheckpointPercentages: [50, 100],
        CheckpointDelay: 600,
        MinHealthyPercentage: 50,
        InstanceWarmup: 300,
      });
      const alarmNames = ofType(run, T.metricAlarm)
        .filter((alarm) => ['todobox-prod-alarm-unhealthy-hosts', 'todobox-prod-alarm-error-ratio'].includes(alarm.name))
        .map((alarm) => alarm.name);
      expect(alarmNames).toHaveLength(2);
      expect([...preferences.AlarmSpecification.Alarms].sort()).toEqual(alarmNames.sort());
    }
  });

  describe('its command, run against a stand-in AWS CLI', () => {
    const LAUNCH_TEMPLATE = { LAUNCH_TEMPLATE_ID: 'lt-0123456789abcdef0', LAUNCH_TEMPLATE_VERSION: '7' };
    /** Runs the command as Pulumi would, with an `aws` on PATH that answers as told and records its arguments. */
    function runRefresh(groupVersion: string, activeRefresh: string): { status: number; calls: string[][]; stderr: string } {
      const directory = mkdtempSync(path.join(tmpdir(), 'todobox-refresh-'));
      try {
        const fakeCli = [
          '#!/bin/sh',
          'node -e \'process.stdout.write(JSON.stringify(process.argv.slice(1)) + "\\n")\' -- "$@" >> "$CALLS"',
          'case "$2" in',
          '  describe-auto-scaling-groups) printf \'%s\\t%s\\n\' "$LAUNCH_TEMPLATE_ID" "$GROUP_VERSION" ;;',
          '  describe-instance-refreshes) printf \'%s\\n\' "$ACTIVE_REFRESH" ;;',
          'esac',
        ].join('\n');
        writeFileSync(path.join(directory, 'aws'), `${fakeCli}\n`, { mode: 0o755 });
        const calls = path.join(directory, 'calls');
        writeFileSync(calls, '');
        const result = spawnSync('sh', ['-c', refreshOf(prod).create], {
          env: {
            ...refreshOf(prod).environment,
            ...LAUNCH_TEMPLATE,
            PATH: `${directory}:${path.dirname(process.execPath)}:${process.env.PATH}`,
            CALLS: calls,
            GROUP_VERSION: groupVersion,
            ACTIVE_REFRESH: activeRefresh,
          },
          encoding: 'utf8',
        });
        const recorded = readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);
        return { status: result.status ?? -1, calls: recorded, stderr: result.stderr };
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    }
    const subcommands = (calls: string[][]) => calls.map((call) => call[1]);

    it('starts nothing when the group already runs that version, as after the first pulumi up', () => {
      const run = runRefresh('7', '');
      expect(run.status).toBe(0);
      expect(subcommands(run.calls)).toEqual(['describe-auto-scaling-groups']);
    });

    it('names the version as the desired configuration, so the group moves only when the refresh succeeds', () => {
      const run = runRefresh('6', '');
      expect(run.status).toBe(0);
      const start = run.calls.find((call) => call[1] === 'start-instance-refresh')!;
      const option = (name: string) => start[start.indexOf(name) + 1];
      expect(option('--auto-scaling-group-name')).toBe(idOf(single(prod, T.autoScalingGroup)));
      expect(JSON.parse(option('--desired-configuration'))).toEqual({ LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '7' } });
      expect(option('--preferences')).toBe(refreshOf(prod).environment.REFRESH_PREFERENCES);
    });

    it('fails, starting nothing, while another refresh runs, so the next pulumi up tries again', () => {
      const run = runRefresh('6', 'e3a5b0c4-1111-2222-3333-444455556666\tInProgress');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('still running');
      expect(subcommands(run.calls)).not.toContain('start-instance-refresh');
    });
  });
});

describe('configuration', () => {
  it('takes the AMI from the SSM parameter amiSsmParameter names, resolved when the stack is deployed', async () => {
    const run = await loadAwsProgram({ ...BASE_AWS_CONFIG, amiId: undefined, amiSsmParameter: '/todobox/prod/app-ami' }, 'prod');
    expect(single(run, T.launchTemplate).inputs.imageId).toBe('ami-0fedcba9876543210');
  });

  it('keeps a stack on MySQL 8.0 when it names 8.0, and upgrades a major only when the stack names its version', async () => {
    // Pulumi's log reaches the console under the mocks.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const onEightZero = await loadAwsProgram({ ...BASE_AWS_CONFIG, dbEngineVersion: '8.0' }, 'prod');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('MySQL 8.0 leaves RDS standard support on 2026-07-31'));
    warn.mockRestore();
    expect(single(onEightZero, T.dbInstance).inputs).toMatchObject({ engineVersion: '8.0', allowMajorVersionUpgrade: true });
    expect(single(onEightZero, T.dbParameterGroup).inputs.family).toBe('mysql8.0');
    // A stack made on 8.0 that never named a version is refused by RDS, not upgraded by the new default.
    expect(single(prod, T.dbInstance).inputs).toMatchObject({ engineVersion: '8.4', allowMajorVersionUpgrade: false });
  });

  it('keeps a parameter group it no longer uses, which RDS refuses to delete while the instance still does', () => {
    expect(single(prod, T.dbParameterGroup).retainOnDelete).toBe(true);
  });

  it('runs the exact Node.js and MySQL releases the stack pins', async () => {
    const pins = { nodeMajor: '22', nodeVersion: '22.21.1', instanceType: 't4g.small', dbEngineVersion: '8.4.7' };
    const run = await loadAwsProgram({ ...BASE_AWS_CONFIG, ...pins }, 'prod');
    const userData = Buffer.from(single(run, T.launchTemplate).inputs.userData, 'base64').toString('utf8');
    expect(userData).toContain('curl -fsSLO https://nodejs.org/dist/v22.21.1/SHASUMS256.txt');
    expect(userData).toContain("grep -oE 'node-v[0-9.]+-linux-arm64\\.tar\\.xz$' SHASUMS256.txt");
    expect(userData).not.toContain('latest-v');
    expect(single(run, T.dbInstance).inputs).toMatchObject({ engineVersion: '8.4.7', allowMajorVersionUpgrade: true });
    expect(single(run, T.dbParameterGroup).inputs.family).toBe('mysql8.4');
  });

  it.each([
    [{ dbBackupRetentionDays: '3' }, /dbBackupRetentionDays must be at least 7/],
    [{ azCount: '1' }, /azCount must be a whole number from 2 to 4/],
    [{ environment: 'dev' }, /environment must be prod or staging/],
    [{ minSize: '3', desiredCapacity: '2' }, /minSize \(3\) <= desiredCapacity \(2\)/],
    [{ vpcCidr: '10.0.0.0/8' }, /vpcCidr must be an IPv4 CIDR block/],
    [{ dbEngineVersion: '5.7' }, /dbEngineVersion must be a MySQL version RDS supports \(8\.4, 8\.0/],
    [{ dbEngineVersion: '8.4.x' }, /dbEngineVersion must be a MySQL version/],
    [{ amiId: 'ubuntu-24.04' }, /amiId "ubuntu-24.04" is not an AMI id/],
    [{ amiSsmParameter: '/todobox/prod/app-ami' }, /set amiId or amiSsmParameter, not both/],
    [
      { amiId: undefined, amiSsmParameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id' },
      /is published by AWS and changes with every new image/,
    ],
    [{ amiId: undefined }, /amiId or amiSsmParameter is required/],
    [{ nodeMajor: '20' }, /nodeMajor must be a whole number from 22/],
    [{ nodeMajor: '23' }, /nodeMajor must be a long-term support line of Node.js, an even major \(got 23\)/],
    [{ nodeMajor: '22', nodeVersion: '24.11.1' }, /nodeVersion must be a release of Node.js 22/],
    [{ logRetentionDays: '0' }, /logRetentionDays must be a whole number from 1 to 3650/],
    [{ databaseBootstrap: 'always' }, /databaseBootstrap must be instances or manual \(got "always"\)/],
    [{ wafAllowedCidrs: '203.0.113.0/24,203.0.113.5/24,10.0.0.0/0,example.com' }, /wafAllowedCidrs must be IPv4 networks .*\(not 203\.0\.113\.5\/24, 10\.0\.0\.0\/0, example\.com\)/],
  ])('rejects %j', async (override, message) => {
    await expect(loadAwsProgram({ ...BASE_AWS_CONFIG, ...override }, 'prod')).rejects.toThrow(message);
  });

  it('runs with the example stack file, which lists every key the README documents', async () => {
    const directory = path.resolve(__dirname, '..');
    const example = readFileSync(path.join(directory, 'Pulumi.example.yaml'), 'utf8');
    const run = await loadAwsProgram(parse(example).config, 'prod');
    expect(ofType(run, T.dbInstance)).toHaveLength(1);
    const readme = readFileSync(path.join(directory, 'README.md'), 'utf8');
    const keyTable = readme.split('## Configuration keys')[1].split('\n## ')[0];
    const keys = [...keyTable.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) => [...row[1].matchAll(/`([a-zA-Z:]+)`/g)].map((key) => key[1]));
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      expect(example).toMatch(new RegExp(`^ *#? *${key.includes(':') ? key : `todobox-aws:${key}`}:`, 'm'));
    }
  });

  it('names every missing required key at once', async () => {
    await expect(loadAwsProgram({ 'aws:region': 'us-east-1' }, 'prod')).rejects.toThrow(/domain is required[\s\S]*appVersion is required[\s\S]*artifactBucket is required/);
  });
});
