import type { PolicyResource, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { isSecretInput } from '../../test/mockEngine';

/** Thrown by the fake `notApplicable`, as the policy server does, to skip a validation for this resource. */
class NotApplicable extends Error {}

export interface ResourceUnderTest {
  type: string;
  props: Record<string, unknown>;
  name?: string;
  stack?: string;
  /** The policy's configuration, as `getConfig()` returns it. */
  config?: Record<string, unknown>;
  /** The ignoreChanges resource option. */
  ignoreChanges?: string[];
}

function pulumiTypeOf(resourceClass: unknown): string | undefined {
  return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

/** The argument bag the policy server builds for one resource, with the same type matching. */
/** Props as a policy pack sees them: secret values are handed over in plain (the engine decrypts them for the pack). */
function revealed(value: unknown): unknown {
  if (isSecretInput(value)) return revealed(value.value);
  if (Array.isArray(value)) return value.map(revealed);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, revealed(field)]));
  return value;
}

export function validationArgs(resource: ResourceUnderTest): ResourceValidationArgs {
  const name = resource.name ?? 'resource';
  const stack = resource.stack ?? 'prod';
  const isType = (resourceClass: unknown) => pulumiTypeOf(resourceClass) === resource.type;
  const props = revealed(resource.props) as Record<string, unknown>;
  return {
    type: resource.type,
    props,
    urn: `urn:pulumi:${stack}::todobox-aws::${resource.type}::${name}`,
    name,
    opts: { protect: false, ignoreChanges: resource.ignoreChanges ?? [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType,
    asType: ((resourceClass: unknown) => (isType(resourceClass) ? props : undefined)) as ResourceValidationArgs['asType'],
    getConfig: <T extends object>() => (resource.config ?? {}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

function validationsOf(policy: ResourceValidationPolicy): ResourceValidation[] {
  const validate = policy.validateResource;
  if (validate === undefined) {
    return [];
  }
  return Array.isArray(validate) ? validate : [validate];
}

export interface Evaluation {
  violations: string[];
  /** At least one of the policy's validations applied to the resource's type. */
  applicable: boolean;
}

/** Runs every validation of the policy on the resource, with a spy as reportViolation. */
export async function evaluate(policy: ResourceValidationPolicy, resource: ResourceUnderTest): Promise<Evaluation> {
  const reportViolation = jest.fn<void, [string, string?]>();
  let applicable = false;
  for (const validation of validationsOf(policy)) {
    try {
      await validation(validationArgs(resource), reportViolation);
      applicable = true;
    } catch (error) {
      if (!(error instanceof NotApplicable)) {
        throw error;
      }
    }
  }
  return { violations: reportViolation.mock.calls.map(([message]) => message), applicable };
}

/** The messages the policy reports for the resource. */
export async function violationsOf(policy: ResourceValidationPolicy, resource: ResourceUnderTest): Promise<string[]> {
  return (await evaluate(policy, resource)).violations;
}

/** One resource of a stack under test; its id is `<name>-id`, as the mock engine gives ids. */
export interface StackResourceUnderTest {
  type: string;
  name: string;
  props: Record<string, unknown>;
  ignoreChanges?: string[];
}

const escapedForPattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The stack as a stack policy sees it. A property depends on each resource whose id it carries (the mock
 * engine's `<name>-id`, which its ARNs contain too): the links the engine records as propertyDependencies.
 */
export function policyResources(resources: StackResourceUnderTest[], stack = 'prod'): PolicyResource[] {
  const built = resources.map((resource) => {
    const args = validationArgs({ ...resource, stack });
    return { type: resource.type, name: resource.name, urn: args.urn, props: args.props, opts: args.opts, isType: args.isType, asType: args.asType } as PolicyResource;
  });
  const idPatterns = resources.map((resource) => new RegExp(`(?<![\\w-])${escapedForPattern(`${resource.name}-id`)}(?![\\w-])`));
  for (const resource of built) {
    resource.propertyDependencies = Object.fromEntries(
      Object.entries(resource.props).map(([key, value]) => {
        const text = JSON.stringify(value) ?? '';
        return [key, built.filter((candidate, index) => candidate !== resource && idPatterns[index].test(text))];
      }),
    );
    resource.dependencies = [...new Set(Object.values(resource.propertyDependencies).flat())];
  }
  return built;
}

/** The messages a stack policy reports for the stack. */
export async function stackViolationsOf(policy: StackValidationPolicy, resources: StackResourceUnderTest[], stack = 'prod'): Promise<string[]> {
  const reportViolation = jest.fn<void, [string, string?]>();
  const args: StackValidationArgs = {
    resources: policyResources(resources, stack),
    stackTags: new Map(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  await policy.validateStack(args, reportViolation);
  return reportViolation.mock.calls.map(([message]) => message);
}
