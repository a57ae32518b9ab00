import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { DEFAULT_PORT, ENVIRONMENT_KEYS } from '../../app/src/environment';

export const ROOT = path.resolve(__dirname, '../..');

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
