import path from 'node:path';
import express, { type RequestHandler, type Response } from 'express';
import { FINGERPRINTED_NAME, fingerprintFiles, type FingerprintedFile } from './fingerprint';

/** A year: what browsers and CDNs may keep a file whose name names its content. */
export const FINGERPRINTED_CACHE_CONTROL = `public, max-age=${365 * 24 * 60 * 60}, immutable`;

export interface StaticAssetOptions {
  /** How long a bare name (`/static/css/app.css`) may be kept. */
  fallbackMaxAge: string | number;
  /**
   * Fingerprint the files again for every page and request (development: an edited file gets a new
   * name at the next reload). Otherwise they are read once, at start.
   */
  rereadFiles: boolean;
}

/**
 * The files under `publicDir`, each also under its fingerprinted name: pages link to
 * `/static/css/app.<fingerprint>.css`, which a browser or CDN keeps for a year without asking again,
 * since a release that changes the file changes its name. A fingerprinted name is answered with the
 * bytes it was made from, kept in memory: a file replaced on disk under a running instance never
 * reaches a browser under the old file's year-long name. A bare `/static/css/app.css` is read from
 * disk, cached for `fallbackMaxAge` only.
 */
export function staticAssets(publicDir: string, options: StaticAssetOptions) {
  const catalogOf = () => {
    const byOriginal = fingerprintFiles(publicDir);
    const byName = new Map<string, FingerprintedFile>([...byOriginal.values()].map((file) => [`/${file.name}`, file]));
    return { byOriginal, byName };
  };
  const atStart = catalogOf();
  const catalog = options.rereadFiles ? catalogOf : () => atStart;

  const bareNames = express.static(publicDir, { index: false, maxAge: options.fallbackMaxAge });
  const send = (res: Response, file: FingerprintedFile, cacheControl: string) => {
    res.type(path.posix.extname(file.name));
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', `"${file.name}"`);
    res.send(file.content);
  };
  /**
   * Another release's name for a file this one has: while a fleet rolls from one release to the next,
   * a page from an instance of either asks any instance for its files. It gets this release's file,
   * which is not what the name promises, so never under the year-long promise: kept for no time.
   */
  const otherRelease = (requestPath: string, byOriginal: Map<string, FingerprintedFile>) => {
    if (!FINGERPRINTED_NAME.test(requestPath)) return undefined;
    return byOriginal.get(requestPath.slice(1).replace(FINGERPRINTED_NAME, '$1'));
  };

  const serve: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return bareNames(req, res, next);
    const { byName, byOriginal } = catalog();
    const file = byName.get(req.path);
    if (file) return send(res, file, FINGERPRINTED_CACHE_CONTROL);
    const current = otherRelease(req.path, byOriginal);
    if (current) return send(res, current, 'no-cache');
    bareNames(req, res, next);
  };

  /** The address of a file under publicDir, by its fingerprinted name. */
  const url = (file: string): string => {
    const found = catalog().byOriginal.get(file);
    if (!found) throw new Error(`No static file ${file} in ${publicDir}`);
    return `/static/${found.name}`;
  };

  return {
    serve,
    url,
    /** Sends a request to `file` under its current fingerprinted name (a redirect: the name changes with each release). */
    redirectTo(file: string): RequestHandler {
      return (_req, res) => res.redirect(302, url(file));
    },
  };
}

export type StaticAssets = ReturnType<typeof staticAssets>;
