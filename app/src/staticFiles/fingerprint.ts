import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A name that carries its content's fingerprint, `css/app.0123456789abcdef.css`: one version of the file for good. */
export const FINGERPRINTED_NAME = /\.[0-9a-f]{16}(\.[^./]+)?$/;

/** `css/app.css` with content C becomes `css/app.<first 16 hex digits of SHA-256(C)>.css`. */
export function fingerprintedName(file: string, content: Buffer): string {
  const fingerprint = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const extension = path.posix.extname(file);
  return `${file.slice(0, file.length - extension.length)}.${fingerprint}${extension}`;
}

/** Every file under `publicDir` (as a '/'-separated relative path) with its fingerprinted name. */
export function fingerprintFiles(publicDir: string): Map<string, string> {
  const names = new Map<string, string>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else {
        const relative = path.relative(publicDir, file).split(path.sep).join('/');
        names.set(relative, fingerprintedName(relative, fs.readFileSync(file)));
      }
    }
  };
  visit(publicDir);
  return names;
}
