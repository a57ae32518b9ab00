import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { today } from '../todos/dates';

interface CachedPage {
  body: Buffer;
  etag: string;
}

export interface PageCache {
  /**
   * Answers with the page `view` renders from `locals()`, from memory when this user's page at this
   * address, version, day and CSRF token was rendered before. Pages showing a one-time message are
   * rendered each time and not kept.
   */
  render(req: Request, res: Response, view: string, locals: () => Promise<Record<string, unknown>>): Promise<void>;
}

/** Everything a cached page varies with; the user's version covers their todos, name and rights. */
function keyOf(req: Request, res: Response): string | undefined {
  const user = req.user;
  if (!user?.version || res.locals.flash) return undefined;
  const csrfToken = typeof res.locals.csrfToken === 'function' ? (res.locals.csrfToken as () => string)() : '';
  return `${user.id}\n${user.version}\n${today()}\n${req.originalUrl}\n${csrfToken}`;
}

function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (error: Error | null, html: string) => (error ? reject(error) : resolve(html))));
}

function send(res: Response, page: CachedPage): void {
  // Revalidated on every visit, and never by a shared cache: the page is one user's.
  res.set({ 'Cache-Control': 'private, no-cache', ETag: page.etag }).type('html').send(page.body);
}

/** Rendered pages in memory, at most `maxBytes` of them, least recently used first out. */
export function createPageCache(maxBytes: number): PageCache {
  if (maxBytes <= 0) {
    return {
      async render(_req, res, view, locals) {
        res.set('Cache-Control', 'private, no-cache').render(view, await locals());
      },
    };
  }
  const pages = new LRUCache<string, CachedPage>({ maxSize: maxBytes, sizeCalculation: (page, key) => page.body.length + key.length });
  return {
    async render(req, res, view, locals) {
      const key = keyOf(req, res);
      const cached = key === undefined ? undefined : pages.get(key);
      if (cached) return send(res, cached);
      const body = Buffer.from(await renderToString(res, view, await locals()));
      const page = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
      if (key !== undefined) pages.set(key, page);
      send(res, page);
    },
  };
}
