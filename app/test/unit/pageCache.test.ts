import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { Request } from 'express';
import request from 'supertest';
import { createPageCache, Visitor } from '../../src/cache/pageCache';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { observeRequests } from '../../src/observability/requestObservation';

/**
 * An app whose one page is rendered from a counter: a page answered from memory shows the count of
 * an earlier rendering. The logged-in user, their version and token come from `state`.
 */
function appWithPages(maxBytes: number, state: { version: string; token: string; flash?: boolean; padding?: number; hold?: Promise<void> }) {
  const views = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-page-cache-'));
  fs.writeFileSync(path.join(views, 'page.txt'), '');
  let renders = 0;
  const pages = createPageCache(maxBytes);
  const user = (): Express.User => ({ id: 7, email: 'ann@example.com', name: 'Ann', isAdmin: false, authVersion: 0, version: state.version });
  const visitor = async (req: Request): Promise<Visitor | undefined> => (req.headers.cookie === 'logged-in' ? { user: user(), csrfToken: state.token } : undefined);
  const app = express()
    .engine('txt', (_file, options, callback) => callback(null, `page ${String((options as { n: number }).n)} ${'x'.repeat(state.padding ?? 0)}`))
    .set('view engine', 'txt')
    .set('views', views)
    .use(pages.serveKept(visitor, observeRequests(createMetrics(), createLogger({ level: 'info', silent: true }))))
    .use((req, res, next) => {
      if (req.headers.cookie === 'logged-in') req.user = user();
      res.setHeader('Cache-Control', 'no-store');
      res.locals.csrfToken = () => state.token;
      if (state.flash) res.locals.flash = [{ type: 'success', message: 'Saved.' }];
      next();
    })
    .get(['/page', '/other'], async (req, res) => {
      await pages.render(req, res, 'page', async () => {
        await state.hold;
        return { n: ++renders };
      });
    });
  return { app, pages, renders: () => renders, cleanup: () => fs.rmSync(views, { recursive: true, force: true }) };
}

describe('the page cache', () => {
  const get = (app: express.Express, url: string, headers: Record<string, string> = { cookie: 'logged-in' }) => request(app).get(url).set(headers);

  it('answers a page from memory until the user\'s version or CSRF token changes, and keeps each address apart', async () => {
    const state = { version: 'v1', token: 'token-1' };
    const { app, renders, cleanup } = appWithPages(1024 * 1024, state);
    try {
      expect((await get(app, '/page')).text).toBe('page 1 ');
      const kept = await get(app, '/page');
      expect(kept.text).toBe('page 1 ');
      expect(kept.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      // A kept page is answered with the headers its first answer had.
      expect(kept.headers['cache-control']).toBe('no-store');
      expect((await get(app, '/page?q=1')).text).toBe('page 2 ');
      expect((await get(app, '/other')).text).toBe('page 3 ');
      state.version = 'v2';
      expect((await get(app, '/page')).text).toBe('page 4 ');
      state.token = 'token-2';
      expect((await get(app, '/page')).text).toBe('page 5 ');
      expect((await get(app, '/page')).text).toBe('page 5 ');
      expect(renders()).toBe(5);
    } finally {
      cleanup();
    }
  });

  it('renders a page once for all the requests that ask for it while it is being rendered', async () => {
    let release = () => undefined as void;
    const state = { version: 'v1', token: 't', hold: new Promise<void>((resolve) => (release = resolve)) };
    const { app, renders, cleanup } = appWithPages(1024 * 1024, state);
    try {
      const server = app.listen(0);
      const asked = Array.from({ length: 8 }, () => request(server).get('/page').set('cookie', 'logged-in'));
      const answers = Promise.all(asked.map((each) => each.then((res) => res.text)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      expect(new Set(await answers)).toEqual(new Set(['page 1 ']));
      expect(renders()).toBe(1);
      server.close();
    } finally {
      cleanup();
    }
  });

  it('renders every time for a visitor without a login, or with a message to show', async () => {
    const state = { version: 'v1', token: 't', flash: true };
    const { app, renders, cleanup } = appWithPages(1024 * 1024, state);
    try {
      await get(app, '/page');
      await get(app, '/page');
      state.flash = false;
      await get(app, '/page', {});
      await get(app, '/page', {});
      expect(renders()).toBe(4);
    } finally {
      cleanup();
    }
  });

  it('answers a kept page with 304 when the browser holds it, with the same ETag', async () => {
    const { app, cleanup } = appWithPages(1024 * 1024, { version: 'v1', token: 't' });
    try {
      const first = await get(app, '/page');
      const again = await get(app, '/page', { cookie: 'logged-in', 'if-none-match': String(first.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.headers.etag).toBe(first.headers.etag);
      expect(again.text).toBe('');
    } finally {
      cleanup();
    }
  });

  it('holds at most its size in pages, dropping the least recently used', async () => {
    const { app, renders, cleanup } = appWithPages(40_000, { version: 'v1', token: 't', padding: 15_000 });
    try {
      await get(app, '/page?n=1');
      await get(app, '/page?n=2');
      await get(app, '/page?n=3');
      expect(renders()).toBe(3);
      await get(app, '/page?n=3');
      expect(renders()).toBe(3);
      await get(app, '/page?n=1');
      expect(renders()).toBe(4);
    } finally {
      cleanup();
    }
  });

  it('drops a user\'s pages of an older version as soon as a page of a newer one is kept', async () => {
    const state = { version: 'v1', token: 't', padding: 10_000 };
    const { app, pages, renders, cleanup } = appWithPages(1024 * 1024, state);
    try {
      await get(app, '/page');
      const onePage = pages.keptBytes();
      expect(onePage).toBeGreaterThan(10_000);
      await get(app, '/other');
      expect(pages.keptBytes()).toBeGreaterThan(2 * onePage - 10);
      for (const version of ['v2', 'v3', 'v4']) {
        state.version = version;
        await get(app, '/page');
        expect(pages.keptBytes()).toBe(onePage);
      }
      await get(app, '/page');
      expect(renders()).toBe(5);
    } finally {
      cleanup();
    }
  });

  it('keeps nothing with a size of 0', async () => {
    const { app, renders, cleanup } = appWithPages(0, { version: 'v1', token: 't' });
    try {
      await get(app, '/page');
      await get(app, '/page');
      expect(renders()).toBe(2);
    } finally {
      cleanup();
    }
  });
});
