import type { StackConfig } from './config';

/** Names and tags shared by every resource of one stack, so the console groups them and cost reports split them. */
export interface Naming {
  prefix: string;
  name(component: string): string;
  tags(component: string, extra?: Record<string, string>): Record<string, string>;
}

export function createNaming(config: StackConfig): Naming {
  const prefix = `todobox-${config.stack}`;
  return {
    prefix,
    name: (component) => `${prefix}-${component}`,
    tags: (component, extra = {}) => ({
      Name: `${prefix}-${component}`,
      Application: 'todobox',
      Environment: config.environment,
      Stack: config.stack,
      ManagedBy: 'pulumi',
      ...extra,
    }),
  };
}
