import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { RequestHandler } from 'express';

/** A year: what browsers may keep a file whose address names its content. */
const FINGERPRINTED_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/**
 * The files under `publicDir` with a fingerprint of their content: pages link to
 * `/static/css/app.css?v=<fingerprint>`, which a browser may keep for a year without asking
 * again, since a new release changes the address. A bare `/static/...` still works, cached for
 * `fallbackMaxAge` (old bookmarks, the nginx site serving the same files).
 */
export function staticAssets(publicDir: string, options: { fallbackMaxAge: string | number }) {
  const fingerprints = new Map<string, string>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else fingerprints.set(path.relative(publicDir, file).split(path.sep).join('/'), createHash('sha256').update(fs.readFileSync(file)).digest('base64url').slice(0, 12));
    }
  };
  visit(publicDir);

  const serve: RequestHandler = express.static(publicDir, {
    index: false,
    maxAge: options.fallbackMaxAge,
    setHeaders(res, file) {
      const fingerprint = fingerprints.get(path.relative(publicDir, file).split(path.sep).join('/'));
      if (fingerprint && res.req.query.v === fingerprint) {
        res.setHeader('Cache-Control', `public, max-age=${FINGERPRINTED_MAX_AGE_SECONDS}, immutable`);
      }
    },
  });

  return {
    serve,
    /** The address of a file under publicDir, with its fingerprint. */
    url(file: string): string {
      const fingerprint = fingerprints.get(file);
      if (!fingerprint) throw new Error(`No static file ${file} in ${publicDir}`);
      return `/static/${file}?v=${fingerprint}`;
    },
  };
}

export type StaticAssets = ReturnType<typeof staticAssets>;
