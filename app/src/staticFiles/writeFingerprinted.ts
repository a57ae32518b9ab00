import fs from 'node:fs';
import path from 'node:path';
import { fingerprintFiles } from './fingerprint';

/**
 * Copies every file under `publicDir` to `outDir`, under its own name and its fingerprinted name (the
 * ones the app's pages link), so that nginx serves from disk exactly what the app would. Files of
 * earlier builds stay: pages an older instance rendered during a rolling deploy still find theirs.
 */
export function writeFingerprintedCopy(publicDir: string, outDir: string): string[] {
  const written: string[] = [];
  for (const [original, fingerprinted] of fingerprintFiles(publicDir)) {
    for (const name of [original, fingerprinted]) {
      const target = path.join(outDir, ...name.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(publicDir, ...original.split('/')), target);
      written.push(name);
    }
  }
  return written;
}
