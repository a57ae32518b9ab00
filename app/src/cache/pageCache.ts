import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import fresh from 'fresh';
import { LRUCache } from 'lru-cache';
import { recordRouteTemplate, RequestObservation, routeTemplate } from '../observability';
import { today } from '../shared';

interface CachedPage {
  userId: number;
  version: string;
  url: string;
  /** The route template the page was rendered for, for the metrics and the access log. */
  route: string;
  /**
   * Every header the page was first answered with, but those of that one request and its session,
   * as name, value, name, value...: the form Node's writeHead takes with the least work.
   */
  headers: string[];
  /** The same without the body's headers, for a 304. */
  notModifiedHeaders: string[];
  etag: string;
  body: Buffer;
}

/** A logged-in user whose request only reads (see sessionVisitors). */
export interface Visitor {
  user: Express.User;
  csrfToken: string;
}

export interface PageCache {
  /**
   * Answers with the page `view` renders from `locals()`, from memory when this user's page at this
   * address, version, day and CSRF token was rendered before. `address` is the page's own address
   * (the request's, unless given): requests that spell one page differently (parameters in another
   * order or of no meaning) share it. Pages showing a one-time message are rendered each time and
   * not kept.
   */
  render(req: Request, res: Response, view: string, locals: () => Promise<Record<string, unknown>>, address?: string): Promise<void>;
  /**
   * Answers, ahead of the session, login and routing middleware, a request for a page kept in
   * memory, when `visitor` finds a logged-in user whose request would change nothing on its way
   * through them; otherwise hands the request on.
   */
  serveKept(visitor: (req: Request) => Promise<Visitor | undefined>, observation: RequestObservation): RequestHandler;
  /** The bytes the kept pages take, as counted against the size limit. */
  keptBytes(): number;
}

/** Headers that belong to the request that rendered a page, not to the page. */
const OWN_HEADERS = new Set(['set-cookie', 'x-request-id', 'date', 'connection', 'keep-alive', 'transfer-encoding']);
/** Left out of a 304 answer, which has no body. */
const NOT_MODIFIED_LEAVES_OUT = new Set([...OWN_HEADERS, 'content-length', 'content-type']);

function headerList(headers: OutgoingHttpHeaders, leaveOut: Set<string>): string[] {
  return Object.entries(headers).flatMap(([name, value]) =>
    leaveOut.has(name) || value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((each) => [name, String(each)]),
  );
}

/** Everything a kept page varies with; the user's version covers their todos, name and rights. */
function keyOf(userId: number, version: string, url: string, csrfToken: string): string {
  return `${userId}\n${version}\n${today()}\n${url}\n${csrfToken}`;
}

function csrfTokenOf(res: Response): string {
  const token = res.locals.csrfToken;
  return typeof token === 'function' ? String((token as () => string)()) : '';
}

function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (error: Error | null, html: string) => (error ? reject(error) : resolve(html))));
}

function send(res: Response, body: Buffer, etag?: string): void {
  // A browser stores no page (see neverStored); a client that keeps one anyway may revalidate it.
  if (etag) res.set('ETag', etag);
  res.type('html').send(body);
}

/** Rendered pages in memory, at most `maxBytes` of them, least recently used first out. */
export function createPageCache(maxBytes: number): PageCache {
  if (maxBytes <= 0) {
    return {
      async render(_req, res, view, locals) {
        send(res, Buffer.from(await renderToString(res, view, await locals())));
      },
      serveKept: () => (_req, _res, next) => next(),
      keptBytes: () => 0,
    };
  }
  // How many kept pages each address has: a request for any other address is handed on at once.
  const addresses = new Map<string, number>();
  // Each user's kept pages and the version they were rendered at. Versions only move on, so once a
  // page of a newer version is kept the older ones can never be asked for again: they are dropped
  // then, rather than left to fill the cache until they age out (a user who writes often would
  // otherwise leave one dead copy of each page per write).
  const keptOfUser = new Map<number, { version: string; keys: Set<string> }>();
  const pages = new LRUCache<string, CachedPage>({
    maxSize: maxBytes,
    sizeCalculation: (page, key) => page.body.length + key.length + 512,
    dispose: (page, key) => {
      const left = (addresses.get(page.url) ?? 1) - 1;
      if (left > 0) addresses.set(page.url, left);
      else addresses.delete(page.url);
      const ofUser = keptOfUser.get(page.userId);
      ofUser?.keys.delete(key);
      if (ofUser?.keys.size === 0) keptOfUser.delete(page.userId);
    },
  });
  const keep = (key: string, page: CachedPage) => {
    const superseded = keptOfUser.get(page.userId);
    if (superseded && superseded.version !== page.version) for (const old of [...superseded.keys]) pages.delete(old);
    pages.set(key, page);
    if (pages.get(key) !== page) return;
    addresses.set(page.url, (addresses.get(page.url) ?? 0) + 1);
    const ofUser = keptOfUser.get(page.userId) ?? { version: page.version, keys: new Set<string>() };
    ofUser.keys.add(key);
    keptOfUser.set(page.userId, ofUser);
  };

  // Renderings under way: requests for a page that is being rendered wait for it rather than render
  // it again (a write invalidates a page that every open connection of its user is about to ask for).
  const rendering = new Map<string, Promise<{ body: Buffer; etag: string }>>();
  const renderOnce = async (key: string | undefined, res: Response, view: string, locals: () => Promise<Record<string, unknown>>) => {
    const underWay = key === undefined ? undefined : rendering.get(key);
    if (underWay) return underWay;
    const rendered = (async () => {
      const body = Buffer.from(await renderToString(res, view, await locals()));
      return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    })();
    if (key === undefined) return rendered;
    rendering.set(key, rendered);
    try {
      return await rendered;
    } finally {
      rendering.delete(key);
    }
  };

  return {
    async render(req, res, view, locals, address = req.originalUrl) {
      const owner = req.user?.version && !res.locals.flash ? { userId: req.user.id, version: req.user.version } : undefined;
      const key = owner && keyOf(owner.userId, owner.version, address, csrfTokenOf(res));
      const kept = key === undefined ? undefined : pages.get(key);
      if (kept) return send(res, kept.body, kept.etag);
      const { body, etag } = await renderOnce(key, res, view, locals);
      send(res, body, etag);
      if (!owner || !key || res.statusCode !== 200 || pages.has(key)) return;
      const headers = res.getHeaders();
      keep(key, {
        ...owner,
        url: address,
        route: routeTemplate(req),
        headers: headerList(headers, OWN_HEADERS),
        notModifiedHeaders: headerList(headers, NOT_MODIFIED_LEAVES_OUT),
        etag,
        body,
      });
    },

    serveKept(visitor, observation) {
      return async (req, res, next) => {
        if (req.method !== 'GET' || !addresses.has(req.originalUrl)) return next();
        const found = await visitor(req);
        const page = found?.user.version ? pages.get(keyOf(found.user.id, found.user.version, req.originalUrl, found.csrfToken)) : undefined;
        if (!found || !page) return next();
        req.user = found.user;
        recordRouteTemplate(req, page.route);
        const requestId = observation.begin(req, res);
        // Every header in one writeHead, none set before: Node then takes them as they are.
        if (fresh(req.headers, { etag: page.etag })) {
          res.writeHead(304, [...page.notModifiedHeaders, 'x-request-id', requestId]).end();
          return;
        }
        res.writeHead(200, [...page.headers, 'x-request-id', requestId]).end(page.body);
      };
    },

    keptBytes: () => pages.calculatedSize,
  };
}
