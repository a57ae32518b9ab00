import express, { RequestHandler } from 'express';
import { fingerprintFiles } from './fingerprint';

/** A year: what browsers and CDNs may keep a file whose name names its content. */
export const FINGERPRINTED_CACHE_CONTROL = `public, max-age=${365 * 24 * 60 * 60}, immutable`;

/**
 * The files under `publicDir`, each also under its fingerprinted name: pages link to
 * `/static/css/app.<fingerprint>.css`, which a browser or CDN keeps for a year without asking again,
 * since a release that changes the file changes its name. The build writes the same names to disk
 * for nginx. A bare `/static/css/app.css` still works, cached for `fallbackMaxAge` only.
 */
export function staticAssets(publicDir: string, options: { fallbackMaxAge: string | number }) {
  const fingerprinted = fingerprintFiles(publicDir);
  const originals = new Map([...fingerprinted].map(([original, name]) => [`/${name}`, `/${original}`]));

  const files = express.static(publicDir, {
    index: false,
    maxAge: options.fallbackMaxAge,
    setHeaders(res) {
      if (res.locals.fingerprinted) res.setHeader('Cache-Control', FINGERPRINTED_CACHE_CONTROL);
    },
  });
  // A fingerprinted name is the current file, or nothing: an older release's name is a 404, not today's content.
  const serve: RequestHandler = (req, res, next) => {
    const original = originals.get(req.path);
    if (original !== undefined) {
      res.locals.fingerprinted = true;
      req.url = original;
    }
    files(req, res, next);
  };

  /** The address of a file under publicDir, by its fingerprinted name. */
  const url = (file: string): string => {
    const name = fingerprinted.get(file);
    if (!name) throw new Error(`No static file ${file} in ${publicDir}`);
    return `/static/${name}`;
  };

  return {
    serve,
    url,
    /** Sends a request to `file` under its current fingerprinted name (a redirect: the name changes with each release). */
    redirectTo(file: string): RequestHandler {
      const location = url(file);
      return (_req, res) => res.redirect(302, location);
    },
  };
}

export type StaticAssets = ReturnType<typeof staticAssets>;
