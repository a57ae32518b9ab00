import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { DEFAULT_PORT, ENVIRONMENT_KEYS } from '../../src/environment';
import { isSecretInput } from './awsProgram';

export const ROOT = path.resolve(__dirname, '../../..');

/** Every setting the app reads. */
export function appConfigNames(): string[] {
  return [...ENVIRONMENT_KEYS];
}

export function envExampleNames(): string[] {
  return Object.keys(dotenv.parse(fs.readFileSync(path.join(ROOT, '.env.example'))));
}

/** The app's port when PORT does not say otherwise. */
export function appDefaultPort(): number {
  return DEFAULT_PORT;
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
