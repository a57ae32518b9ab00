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

/**
 * The compose nginx site written into `dir` to run on this machine: the app upstream and the ports
 * given, the TLS secrets and log folders in `dir`. The machine's nginx may predate `resolve` (1.27.3)
 * and Docker's resolver is not here: both go. Answers the site file's path.
 */
export function writeLocalComposeSite(dir: string, ports: { upstream: number; http: number; https: number }): string {
  const site = fs
    .readFileSync(path.join(ROOT, 'infra/server/nginx/compose.conf'), 'utf8')
    .replace(/server app:9191 resolve/, `server 127.0.0.1:${ports.upstream}`)
    .replace(/^resolver 127\.0\.0\.11 [^;]*;$/m, '')
    .replace(/^\s*listen \[::\]:\d+[^;]*;\n/gm, '')
    .replace('listen 80;', `listen 127.0.0.1:${ports.http};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`)
    .replace('/run/secrets/tls_certificate_key', path.join(dir, 'privkey.pem'))
    .replace('/run/secrets/tls_certificate', path.join(dir, 'fullchain.pem'))
    .replace(/\/var\/log\/nginx\//g, `${dir}/`)
    .replace(/\/var\/log\/todobox-edge\//g, `${dir}/`);
  const sitePath = path.join(dir, 'compose.conf');
  fs.writeFileSync(sitePath, site);
  return sitePath;
}
