import path from 'node:path';
import type * as PulumiModule from '@pulumi/pulumi';
import type { MockResource } from '../../test/mockEngine';

export const DOCKER_PROJECT = 'todobox-docker';
const PROGRAM = path.resolve(__dirname, '../index.ts');

/** The required keys (the Alertmanager receivers' secrets); tests spread their own keys over them. */
export const BASE_DOCKER_CONFIG: Record<string, string> = {
  alertmanagerPagerdutyRoutingKey: 'pagerduty-routing-key-for-tests',
  alertmanagerSlackWebhookUrl: 'https://hooks.slack.example/services/T000/B000/XXXX',
  alertmanagerSlackTicketsWebhookUrl: 'https://hooks.slack.example/services/T000/B001/YYYY',
  alertmanagerWatchdogUrl: 'https://hc-ping.example/0f8c6b8e-watchdog',
};
const SECRET_KEYS = Object.keys(BASE_DOCKER_CONFIG);

export interface DockerProgramRun {
  resources: MockResource[];
  outputs: Record<string, unknown>;
  /** Resolves any output the program made, with its secret flag. */
  resolve<T>(value: unknown): Promise<{ value: T; isSecret: boolean }>;
}

function computedState(type: string, name: string, inputs: MockResource['inputs']): Record<string, unknown> {
  switch (type) {
    case 'docker:index/image:Image':
      return { repoDigest: `${String(inputs.imageName).split(':')[0]}@sha256:${'a'.repeat(64)}`, baseImageName: inputs.imageName };
    case 'docker:index/remoteImage:RemoteImage':
      return { imageId: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`, repoDigest: `${inputs.name}@sha256:${'b'.repeat(64)}` };
    case 'random:index/randomPassword:RandomPassword':
      return { result: `${name}-${'x'.repeat(Number(inputs.length ?? 16))}`.slice(0, Number(inputs.length ?? 16)) };
    default:
      return {};
  }
}

/** Runs infra/docker against Pulumi's mock engine in a fresh module registry and returns what it built. */
export async function loadDockerProgram(config: Record<string, string> = BASE_DOCKER_CONFIG): Promise<DockerProgramRun> {
  const resources: MockResource[] = [];
  let pulumi: typeof PulumiModule | undefined;
  let outputs: Record<string, unknown> = {};
  await jest.isolateModulesAsync(async () => {
    pulumi = await import('@pulumi/pulumi');
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(config).map(([key, value]) => [key.includes(':') ? key : `${DOCKER_PROJECT}:${key}`, value])),
      SECRET_KEYS.map((key) => `${DOCKER_PROJECT}:${key}`),
    );
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const id = `${args.name}-id`;
          resources.push({ type: args.type, name: args.name, inputs: args.inputs, urn: `urn:pulumi:dev::${DOCKER_PROJECT}::${args.type}::${args.name}` });
          return { id, state: { ...args.inputs, id, ...computedState(args.type, args.name, args.inputs) } };
        },
        call() {
          return {};
        },
      },
      DOCKER_PROJECT,
      'dev',
      false,
    );
    outputs = { ...(await import(PROGRAM)) };
  });
  const runtime = pulumi as typeof PulumiModule;
  const details = async (value: unknown) => {
    const output: PulumiModule.Output<unknown> = runtime.output(value as PulumiModule.Input<unknown>);
    const isSecret = await runtime.isSecret(output);
    const resolved = await new Promise<unknown>((resolve) => output.apply((inner) => resolve(inner)));
    return { value: resolved, isSecret };
  };
  await Promise.all(Object.values(outputs).map(details));
  await runtime.runtime.disconnect();
  return {
    resources,
    outputs,
    resolve: details as DockerProgramRun['resolve'],
  };
}
