import request from 'supertest';
import { FINGERPRINTED_CACHE_CONTROL } from '../../src/staticFiles';
import { createTestApp, createUser, loginAgent, postForm, TestApp } from '../helpers/testApp';

/**
 * A page a browser keeps can be shown again with Back after logout, to whoever sits at the browser
 * next: every page the app renders is sent `no-store`, kept in the app's memory or not.
 */
describe('browser caching of pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('sends every page of a logged-in user no-store, the second (kept) answer of a list too', async () => {
    const admin = await createUser(t, { isAdmin: true, email: 'no-store@example.com' });
    const todo = await t.services.todos.create(admin.id, { title: 'Private plans', details: '' });
    const agent = await loginAgent(t, admin.email);
    const pages = ['/', '/', '/todos/today', '/todos/today', `/todos/${todo.id}`, `/todos/${todo.id}/edit`, '/todos/new', '/account',
      '/account/tokens', '/admin/users', '/todos/no-such-page'];
    for (const page of pages) {
      const res = await agent.get(page);
      expect([page, res.headers['cache-control']]).toEqual([page, 'no-store']);
    }
    const created = await postForm(agent, '/todos/new', '/todos', { title: 'Another', details: '' });
    expect(created.headers['cache-control']).toBe('no-store');
  });

  it('sends the login, setup and register pages no-store (they carry a session\'s CSRF token)', async () => {
    for (const page of ['/login', '/register', '/setup']) {
      const res = await request(t.app).get(page);
      expect([page, res.headers['cache-control']]).toEqual([page, 'no-store']);
    }
  });

  it('links static files by fingerprinted names, served for a year; bare names and other releases\' names are not', async () => {
    const page = await request(t.app).get('/login');
    const links = [...page.text.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThanOrEqual(2);
    for (const link of links) {
      expect(link).toMatch(/^\/static\/[\w/-]+\.[0-9a-f]{16}\.\w+$/);
      const res = await request(t.app).get(link);
      expect([link, res.status, res.headers['cache-control']]).toEqual([link, 200, FINGERPRINTED_CACHE_CONTROL]);
    }
    const css = links.find((link) => link.endsWith('.css'))!;
    const [served, bare] = await Promise.all([request(t.app).get(css), request(t.app).get('/static/css/app.css')]);
    expect(served.text).toBe(bare.text);
    expect(bare.headers['cache-control']).not.toMatch(/immutable/);
    // Another release's name, as a page from an instance of the release before asks for it mid-rollout.
    const otherRelease = await request(t.app).get(css.replace(/\.[0-9a-f]{16}\./, '.0123456789abcdef.'));
    expect([otherRelease.status, otherRelease.headers['cache-control'], otherRelease.text]).toEqual([200, 'no-cache', bare.text]);
    expect((await request(t.app).get('/static/css/gone.0123456789abcdef.css')).status).toBe(404);
  });

  it('sends /favicon.ico, which browsers ask for unprompted, to the icon without touching a session', async () => {
    const icon = await request(t.app).get('/favicon.ico');
    expect(icon.status).toBe(302);
    expect(icon.headers.location).toMatch(/^\/static\/favicon\.[0-9a-f]{16}\.svg$/);
    expect(icon.headers['set-cookie']).toBeUndefined();
    const followed = await request(t.app).get(icon.headers.location);
    expect([followed.status, followed.headers['content-type']]).toEqual([200, expect.stringMatching(/^image\/svg\+xml/)]);
  });
});

describe('static files in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ NODE_ENV: 'production', SECRET_KEY: 'p'.repeat(64), SALT: 'q'.repeat(32) });
  });
  afterAll(() => t.close());

  it('keeps a bare name an hour and a linked, fingerprinted one a year', async () => {
    const bare = await request(t.app).get('/static/css/app.css');
    expect([bare.status, bare.headers['cache-control']]).toEqual([200, 'public, max-age=3600']);
    const linked = /href="(\/static\/css\/app\.[0-9a-f]{16}\.css)"/.exec((await request(t.app).get('/setup')).text)?.[1];
    expect(linked).toBeDefined();
    expect((await request(t.app).get(linked!)).headers['cache-control']).toBe(FINGERPRINTED_CACHE_CONTROL);
  });
});
