import fs from 'node:fs';
import path from 'node:path';
import { fingerprintFiles } from './fingerprint';

/**
 * Writes every file under `publicDir` to `outDir`, under its own name and its fingerprinted name (the
 * ones the app's pages link), so that nginx serves from disk exactly what the app would. Files of
 * earlier builds in `outDir` stay, so on a host upgraded in place the pages an instance of the
 * previous release rendered still find theirs; a new host has only its own release's files.
 */
export function writeFingerprintedCopy(publicDir: string, outDir: string): string[] {
  const written: string[] = [];
  for (const [original, { name: fingerprinted, content }] of fingerprintFiles(publicDir)) {
    for (const name of [original, fingerprinted]) {
      const target = path.join(outDir, ...name.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
      written.push(name);
    }
  }
  return written;
}
