import path from 'node:path';
import type * as PulumiModule from '@pulumi/pulumi';
import type { MockResource } from '../../test/mockEngine';

/** A finished run of the AWS program: its resources and its stack outputs (module exports). */
export interface AwsProgramRun {
  resources: MockResource[];
  outputs: Record<string, unknown>;
  /** Resolves an output of the run (values stay secret-marked as the program made them). */
  resolve<T>(value: unknown): Promise<{ value: T; isSecret: boolean }>;
}

export const AWS_PROJECT = 'todobox-aws';
const PROGRAM = path.resolve(__dirname, '../index.ts');

export const MOCK_ACCOUNT_ID = '123456789012';
export const MOCK_REGION = 'us-east-1';
export const MOCK_AVAILABILITY_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** The smallest complete stack configuration; tests spread their own keys over it. */
export const BASE_AWS_CONFIG: Record<string, string> = {
  'aws:region': MOCK_REGION,
  domain: 'todo.example.com',
  hostedZoneName: 'example.com',
  artifactBucket: 'todobox-releases',
  appVersion: '1.0.0',
  amiId: 'ami-0abcdef1234567890',
};

/** The SSM parameters the mocked account holds. */
export const MOCK_SSM_PARAMETERS: Record<string, string> = { '/todobox/prod/app-ami': 'ami-0fedcba9876543210' };

function arnFor(type: string, name: string): string {
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
  return `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:${name}`;
}

/** Every generated password starts with it. */
export const MOCK_SECRET_PREFIX = 'Mock0';

/** Plausible provider-computed attributes, so outputs built from them resolve to realistic strings. */
function computedState(type: string, name: string, id: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'aws:ec2/vpc:Vpc':
      return { arn: arnFor(type, id), ipv6CidrBlock: '2600:1f18:abcd:1200::/56' };
    case 'aws:lb/loadBalancer:LoadBalancer':
      return { arn: arnFor(type, id), dnsName: `${name}-1234567890.${MOCK_REGION}.elb.amazonaws.com`, zoneId: 'Z35SXDOTRQ7X7K' };
    case 'aws:rds/instance:Instance':
      return {
        arn: arnFor(type, `db:${id}`),
        identifier: id,
        address: `${name}.abcdefghijkl.${MOCK_REGION}.rds.amazonaws.com`,
        endpoint: `${name}.abcdefghijkl.${MOCK_REGION}.rds.amazonaws.com:3306`,
        port: 3306,
        masterUserSecrets: inputs.manageMasterUserPassword
          ? [{ secretArn: `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:secret:rds!db-${id}-XyZ123`, kmsKeyId: '', secretStatus: 'active' }]
          : [],
      };
    case 'aws:elasticache/replicationGroup:ReplicationGroup':
      return {
        primaryEndpointAddress: `master.${name}.abcdef.use1.cache.amazonaws.com`,
        readerEndpointAddress: `replica.${name}.abcdef.use1.cache.amazonaws.com`,
      };
    case 'aws:cloudfront/distribution:Distribution':
      return { domainName: 'd111111abcdef8.cloudfront.net', hostedZoneId: 'Z2FDTNDATAQYW2' };
    case 'aws:acm/certificate:Certificate':
      return {
        arn: arnFor(type, id),
        domainValidationOptions: [inputs.domainName, ...((inputs.subjectAlternativeNames as string[] | undefined) ?? [])].map((domainName) => ({
          domainName,
          resourceRecordName: `_a79865eb4cd1a6ab990a45779b4e0b96.${domainName}.`,
          resourceRecordType: 'CNAME',
          resourceRecordValue: '_424c7224e9b0146f9a8808af955727d0.acm-validations.aws.',
        })),
      };
    case 'aws:secretsmanager/secret:Secret':
      return { arn: `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:secret:${name}-AbCdEf` };
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { latestVersion: 1 };
    case 'random:index/randomPassword:RandomPassword':
      // Each password its own, so a test can tell which one reached a place.
      return { result: `${MOCK_SECRET_PREFIX}${name.replace(/[^A-Za-z0-9]/g, '')}`.repeat(20).slice(0, Number(inputs.length)) };
    default:
      // Auto-naming happens in the provider, which mocks replace: give named resources a name.
      return { arn: arnFor(type, id), name: inputs.name ?? name };
  }
}

function invokeResult(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return { names: MOCK_AVAILABILITY_ZONES, zoneIds: ['use1-az1', 'use1-az2', 'use1-az4'], id: MOCK_REGION };
    case 'aws:ssm/getParameter:getParameter': {
      const value = MOCK_SSM_PARAMETERS[String(inputs.name)];
      if (value === undefined) throw new Error(`ParameterNotFound: ${String(inputs.name)}`);
      return { name: inputs.name, type: 'String', value, insecureValue: value, version: 1 };
    }
    case 'aws:ec2/getManagedPrefixList:getManagedPrefixList':
      return { id: 'pl-3b927c52', name: inputs.name, addressFamily: 'IPv4', maxEntries: 55 };
    case 'aws:route53/getZone:getZone':
      return { zoneId: 'Z0123456789ABCDEFGHIJ', id: 'Z0123456789ABCDEFGHIJ', name: inputs.name ?? 'example.com' };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/deployer`, userId: 'AIDA' };
    case 'aws:index/getRegion:getRegion':
      return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION };
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com' };
    case 'aws:iam/getPolicyDocument:getPolicyDocument':
      return { json: JSON.stringify({ Version: '2012-10-17', Statement: inputs.statements ?? [] }) };
    default:
      return {};
  }
}

/** A key given as undefined is left unset, so a test can take a key of BASE_AWS_CONFIG away. */
function configFor(config: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => [key.includes(':') ? key : `${AWS_PROJECT}:${key}`, value]),
  );
}

/** The one call of the engine's resource monitor that carries a resource's options. */
interface RegistrationMonitor {
  registerResource(
    request: {
      getType(): string;
      getName(): string;
      getIgnorechangesList(): string[];
      getRetainondelete(): boolean | undefined;
      getDeletebeforereplace(): boolean;
      getDependenciesList(): string[];
    },
    callback: unknown,
  ): unknown;
}

/** The resource options tests read, which the mock's newResource is not given. */
interface RecordedOptions {
  ignoreChanges: string[];
  retainOnDelete?: boolean;
  deleteBeforeReplace: boolean;
  dependencies: string[];
}

/**
 * The mock engine hands `newResource` the inputs only; the resource options reach the monitor in the
 * registration request, so they are read there, before the mock sees the resource.
 */
function recordOptions(runtime: typeof PulumiModule.runtime, options: Map<string, RecordedOptions>): void {
  const monitor = runtime.getMonitor() as unknown as RegistrationMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    options.set(`${request.getType()}::${request.getName()}`, {
      ignoreChanges: request.getIgnorechangesList(),
      retainOnDelete: request.getRetainondelete(),
      deleteBeforeReplace: request.getDeletebeforereplace(),
      dependencies: request.getDependenciesList(),
    });
    return register(request, callback);
  };
}

/**
 * Runs infra/aws against Pulumi's mock engine in a fresh module registry (so several runs in one test
 * file never share program state), waits until every registration has finished and returns what it built.
 * Keys without a namespace are the project's own (`domain` becomes `todobox-aws:domain`).
 */
export async function loadAwsProgram(config: Record<string, string | undefined>, stack = 'prod'): Promise<AwsProgramRun> {
  const resources: MockResource[] = [];
  let pulumi: typeof PulumiModule | undefined;
  let outputs: Record<string, unknown> = {};
  const options = new Map<string, RecordedOptions>();
  await jest.isolateModulesAsync(async () => {
    pulumi = await import('@pulumi/pulumi');
    pulumi.runtime.setAllConfig(configFor(config));
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const id = `${args.name}-id`;
          const urn = `urn:pulumi:${stack}::${AWS_PROJECT}::${args.type}::${args.name}`;
          resources.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs,
            urn,
            ignoreChanges: options.get(`${args.type}::${args.name}`)?.ignoreChanges ?? [],
            retainOnDelete: options.get(`${args.type}::${args.name}`)?.retainOnDelete,
            deleteBeforeReplace: options.get(`${args.type}::${args.name}`)?.deleteBeforeReplace,
            provider: args.provider,
            dependencies: options.get(`${args.type}::${args.name}`)?.dependencies ?? [],
          });
          return { id, state: { ...args.inputs, id, ...computedState(args.type, args.name, id, args.inputs) } };
        },
        call(args) {
          return invokeResult(args.token, args.inputs);
        },
      },
      AWS_PROJECT,
      stack,
      false,
    );
    recordOptions(pulumi.runtime, options);
    outputs = { ...(await import(PROGRAM)) };
  });
  const runtime = pulumi as typeof PulumiModule;
  await Promise.all(Object.values(outputs).map((value) => outputDetails(runtime, value)));
  await runtime.runtime.disconnect();
  return {
    resources,
    outputs,
    resolve: <T>(value: unknown) => outputDetails(runtime, value) as Promise<{ value: T; isSecret: boolean }>,
  };
}

async function outputDetails(pulumi: typeof PulumiModule, value: unknown): Promise<{ value: unknown; isSecret: boolean }> {
  const output: PulumiModule.Output<unknown> = pulumi.output(value as PulumiModule.Input<unknown>);
  const isSecret = await pulumi.isSecret(output);
  const resolved = await new Promise<unknown>((resolve) => output.apply((inner) => resolve(inner)));
  return { value: resolved, isSecret };
}

/** The shared contract: every resource the AWS program registers with the given configuration. */
export async function runAwsProgram(config: Record<string, string>, stack = 'prod'): Promise<MockResource[]> {
  return (await loadAwsProgram({ ...BASE_AWS_CONFIG, ...config }, stack)).resources;
}
