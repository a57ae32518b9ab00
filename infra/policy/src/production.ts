import type { PolicyConfigSchema, ResourceValidationArgs } from '@pulumi/policy';
import { tagValue } from './tags';

export const DEFAULT_PRODUCTION_STACKS = ['prod', 'production'];
const PRODUCTION_ENVIRONMENT_TAGS = ['prod', 'production'];

export interface ProductionConfig {
  productionStacks?: string[];
}

export const productionConfigSchema: PolicyConfigSchema = {
  properties: {
    productionStacks: {
      type: 'array',
      items: { type: 'string' },
      default: DEFAULT_PRODUCTION_STACKS,
      description: 'Stack names whose resources are held to the production rules.',
    },
  },
};

/** A URN reads `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/**
 * Either signal makes a resource production: its stack is listed in `productionStacks`, or the resource
 * carries the tag `environment` (any key case) with the value `production` or `prod`. Both are read so that a production stack with an unusual
 * name is still caught by its tags, and an untagged resource is still caught by its stack.
 */
export function isProduction(args: ResourceValidationArgs, tags: Record<string, string> | undefined): boolean {
  const environment = tagValue(tags, 'environment');
  if (environment !== undefined && PRODUCTION_ENVIRONMENT_TAGS.includes(environment)) {
    return true;
  }
  const stacks = args.getConfig<ProductionConfig>().productionStacks ?? DEFAULT_PRODUCTION_STACKS;
  const stack = stackOfUrn(args.urn);
  return stack !== undefined && stacks.includes(stack);
}
