/**
 * What the Pulumi programs' tests share about Pulumi's mock engine (pulumi.runtime.setMocks): the
 * resources it records and how it passes secrets. Each program's tests load their own @pulumi/pulumi.
 */

/** One resource a program registered, as the mock engine saw it. */
export interface MockResource {
  type: string;
  name: string;
  // Provider-shaped objects that tests read by property path, as the shared contract defines them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
  urn?: string;
  /** The ignoreChanges resource option, as the engine received it. */
  ignoreChanges?: string[];
  /** The retainOnDelete resource option, as the engine received it. */
  retainOnDelete?: boolean;
  /** The deleteBeforeReplace resource option, as the engine received it. */
  deleteBeforeReplace?: boolean;
  /** The reference (`<urn>::<id>`) of the explicit provider the resource was registered with. */
  provider?: string;
  /** The URNs the engine creates first: the resources its inputs come from and its dependsOn. */
  dependencies?: string[];
}

/** How the mock engine passes a secret input: wrapped under Pulumi's secret signature. */
const SECRET_SIGNATURE_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIGNATURE = '1b47061264138c4ac30d75fd1eb44270';

export function isSecretInput(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** The plain value of an input, whether or not the program marked it secret. */
export function plainInput<T = unknown>(value: unknown): T {
  return (isSecretInput(value) ? value.value : value) as T;
}

/** A mock engine input as the program gave it, read by property path in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InputValue = any;

/** A mock engine input as the program gave it: its plain value and whether it was marked secret. */
export function unwrapSecret(value: unknown): { value: InputValue; secret: boolean } {
  return isSecretInput(value) ? { value: value.value, secret: true } : { value, secret: false };
}

/** A whole input with every secret marker removed, and whether any part of it was secret. */
export function unwrapSecretsDeep(value: unknown): { value: InputValue; secret: boolean } {
  const outer = unwrapSecret(value);
  if (Array.isArray(outer.value)) {
    const items = outer.value.map(unwrapSecretsDeep);
    return { value: items.map((item) => item.value), secret: outer.secret || items.some((item) => item.secret) };
  }
  if (outer.value && typeof outer.value === 'object') {
    const entries = Object.entries(outer.value).map(([key, inner]) => [key, unwrapSecretsDeep(inner)] as const);
    return {
      value: Object.fromEntries(entries.map(([key, inner]) => [key, inner.value])),
      secret: outer.secret || entries.some(([, inner]) => inner.secret),
    };
  }
  return outer;
}
