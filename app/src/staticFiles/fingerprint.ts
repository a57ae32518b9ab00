import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A name that carries its content's fingerprint, `css/app.0123456789abcdef.css`: one version of the file for good. */
export const FINGERPRINTED_NAME = /\.[0-9a-f]{16}(\.[^./]+)?$/;

export interface FingerprintedFile {
  /** `css/app.<first 16 hex digits of SHA-256(content)>.css` for `css/app.css`. */
  name: string;
  /** The very bytes the name was made from. */
  content: Buffer;
}

export function fingerprintedName(file: string, content: Buffer): string {
  const fingerprint = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const extension = path.posix.extname(file);
  return `${file.slice(0, file.length - extension.length)}.${fingerprint}${extension}`;
}

/** Every file under `publicDir` (by its '/'-separated relative path), read once, with its fingerprinted name. */
export function fingerprintFiles(publicDir: string): Map<string, FingerprintedFile> {
  const files = new Map<string, FingerprintedFile>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else {
        const relative = path.relative(publicDir, file).split(path.sep).join('/');
        const content = fs.readFileSync(file);
        files.set(relative, { name: fingerprintedName(relative, content), content });
      }
    }
  };
  visit(publicDir);
  return files;
}
