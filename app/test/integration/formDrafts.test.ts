import { randomUUID } from 'node:crypto';
import { sign } from 'cookie-signature';
import request from 'supertest';
import { FORM_DRAFT_KEPT_MESSAGE, FORM_DRAFT_LIFETIME_MS, FORM_DRAFT_OFFERED_MESSAGE } from '../../src/auth/formDrafts';
import { SESSION_ENDED_MESSAGE } from '../../src/auth/endedSession';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, TestApp } from '../helpers/testApp';
import { withClock } from '../helpers/clock';

const HOST = 'todobox.test';
/** What a browser sends with a form of this site: its page as Referer, the site as Origin, same-origin fetch metadata. */
const fromPage = (page: string) => ({ Host: HOST, Origin: `http://${HOST}`, Referer: `http://${HOST}${page}`, 'Sec-Fetch-Site': 'same-origin' });
const MINUTE = 60_000;

/** The draft a page hands to app.js, as the browser reads the attribute. */
function offeredDraft(html: string): Record<string, string> | undefined {
  const attribute = /<body data-form-draft="([^"]*)"/.exec(html)?.[1];
  if (attribute === undefined) return undefined;
  const decoded = attribute.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return JSON.parse(decoded) as Record<string, string>;
}

async function logInAgain(agent: request.Agent, email: string) {
  const _csrf = await csrfTokenFrom(agent, '/login');
  return agent.post('/login').set('Host', HOST).type('form').send({ _csrf, email, password: PASSWORD });
}

describe('work typed into a form while the login ended', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** The browser keeps its cookie, signed by the app, for a session the store has let go of (it expired there). */
  function endTheSessionAtTheStore(agent: request.Agent): void {
    const ended = `s:${sign(`ended-${randomUUID()}`, t.config.secretKey)}`;
    const { jar } = agent as unknown as { jar: { setCookie(cookie: string, domain: string, path: string): void } };
    jar.setCookie(`todobox.sid=${encodeURIComponent(ended)}; Path=/`, '127.0.0.1', '/');
  }

  /** A logged-in user with the new-todo form open, who then stays idle past the idle timeout. */
  async function formOpenWhenTheLoginEnds(email: string, clock: { now: number }) {
    const user = await createUser(t, { email });
    const agent = await loginAgent(t, email);
    const _csrf = await csrfTokenFrom(agent, '/todos/new');
    clock.now += t.config.sessionTimeoutMinutes * MINUTE + MINUTE;
    return { user, agent, _csrf };
  }

  it('is kept, never acted on, and put back in the form after logging in again, once', () => withClock(async (clock) => {
    const { user, agent, _csrf } = await formOpenWhenTheLoginEnds('draft@example.com', clock);
    const typed = { title: 'Call the "plumber" <b>today</b>', details: '**Before** noon\n\n- ask about the boiler', when: 'tomorrow' };
    const sent = await agent.post('/todos').set(fromPage('/todos/new')).type('form').send({ _csrf, ...typed });
    expect([sent.status, sent.headers.location]).toEqual([303, '/login']);
    expect(await t.db.models.Todo.count({ where: { userId: user.id } })).toBe(0);

    const login = await agent.get('/login');
    expect(login.text).toContain('Your session expired');
    expect(login.text).toContain(FORM_DRAFT_KEPT_MESSAGE);
    const loggedIn = await logInAgain(agent, user.email);
    expect([loggedIn.status, loggedIn.headers.location]).toEqual([303, '/todos/new']);

    const form = await agent.get('/todos/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain(FORM_DRAFT_OFFERED_MESSAGE);
    expect(offeredDraft(form.text)).toEqual(typed);
    expect(form.text).not.toContain('<b>today</b>');
    expect(form.headers['cache-control']).toBe('no-store');
    expect(offeredDraft((await agent.get('/todos/new')).text)).toBeUndefined();

    const todos = await t.db.models.Todo.count({ where: { userId: user.id } });
    expect(todos).toBe(0);
  }));

  it('keeps no password, token or CSRF field, and nothing from a form of only those', () => withClock(async (clock) => {
    const { user, agent } = await formOpenWhenTheLoginEnds('draft-secret@example.com', clock);
    const sent = await agent
      .post('/account/password')
      .set(fromPage('/account'))
      .type('form')
      .send({ _csrf: 'old', currentPassword: PASSWORD, newPassword: 'another long password', confirm: 'another long password' });
    expect([sent.status, sent.headers.location]).toEqual([303, '/login']);
    const loggedIn = await logInAgain(agent, user.email);
    expect(loggedIn.headers.location).toBe('/');
    expect(offeredDraft((await agent.get('/account')).text)).toBeUndefined();
  }));

  it('keeps nothing sent from another site, or without the page it came from, or larger than the cap', () => withClock(async (clock) => {
    const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
      ['another site', { ...fromPage('/todos/new'), 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example', Referer: 'https://evil.example/' }, { title: 'x' }],
      ['a sibling subdomain, by Sec-Fetch-Site alone', { ...fromPage('/todos/new'), 'Sec-Fetch-Site': 'same-site' }, { title: 'x' }],
      ['a foreign Origin', { ...fromPage('/todos/new'), Origin: 'https://evil.example' }, { title: 'x' }],
      ['no Referer', { Host: HOST, Origin: `http://${HOST}` }, { title: 'x' }],
      ['a Referer on another host', { ...fromPage('/todos/new'), Referer: 'https://evil.example/todos/new' }, { title: 'x' }],
      ['a Referer leading off the site', { ...fromPage('/todos/new'), Referer: `http://${HOST}//evil.example/` }, { title: 'x' }],
      ['a body over the cap', fromPage('/todos/new'), { title: 'x', details: 'd'.repeat(70 * 1024) }],
    ];
    for (const [name, headers, fields] of cases) {
      const { user, agent, _csrf } = await formOpenWhenTheLoginEnds(`draft-refused-${cases.findIndex((c) => c[0] === name)}@example.com`, clock);
      const sent = await agent.post('/todos').set(headers).type('form').send({ _csrf, ...fields });
      expect({ name, status: sent.status, location: sent.headers.location }).toEqual({ name, status: 303, location: '/login' });
      const login = await agent.get('/login');
      expect({ name, kept: login.text.includes(FORM_DRAFT_KEPT_MESSAGE) }).toEqual({ name, kept: false });
      expect({ name, location: (await logInAgain(agent, user.email)).headers.location }).toEqual({ name, location: '/' });
    }
  }));

  it('waits minutes, not longer', async () => {
    await withClock(async (clock) => {
      const { user, agent, _csrf } = await formOpenWhenTheLoginEnds('draft-stale@example.com', clock);
      await agent.post('/todos').set(fromPage('/todos/new')).type('form').send({ _csrf, title: 'Forgotten' });
      clock.now += FORM_DRAFT_LIFETIME_MS + MINUTE;
      expect((await logInAgain(agent, user.email)).headers.location).toBe('/');
      expect(offeredDraft((await agent.get('/todos/new')).text)).toBeUndefined();
    });
  });

  it('is kept through the idle timeout too, and offered only to the user who typed it', async () => {
    const author = await createUser(t, { email: 'draft-idle@example.com' });
    const other = await createUser(t, { email: 'draft-other@example.com' });
    await withClock(async (clock) => {
      const agent = await loginAgent(t, author.email);
      const _csrf = await csrfTokenFrom(agent, '/todos/new');
      clock.now += t.config.sessionTimeoutMinutes * MINUTE + MINUTE;
      const sent = await agent.post('/todos').set(fromPage('/todos/new')).type('form').send({ _csrf, title: 'Typed while idle' });
      expect([sent.status, sent.headers.location]).toEqual([303, '/login']);
      expect((await agent.get('/login')).text).toContain(FORM_DRAFT_KEPT_MESSAGE);
      // Someone else logs in at the same browser: nothing of the author's reaches them.
      expect((await logInAgain(agent, other.email)).headers.location).toBe('/');
      expect(offeredDraft((await agent.get('/todos/new')).text)).toBeUndefined();
    });
    expect(await t.db.models.Todo.count({ where: { userId: author.id } })).toBe(0);
  });

  it('sends a form whose session the store let go of to the login page, saying so, and keeps nothing of whose owner it cannot tell', async () => {
    const author = await createUser(t, { email: 'draft-unknown@example.com' });
    const other = await createUser(t, { email: 'draft-next@example.com' });
    const agent = await loginAgent(t, author.email);
    const _csrf = await csrfTokenFrom(agent, '/todos/new');
    endTheSessionAtTheStore(agent);
    const sent = await agent.post('/todos').set(fromPage('/todos/new')).type('form').send({ _csrf, title: 'Private words' });
    expect([sent.status, sent.headers.location]).toEqual([303, '/login']);
    const login = await agent.get('/login');
    expect(login.text).toContain(SESSION_ENDED_MESSAGE);
    expect(login.text).not.toContain(FORM_DRAFT_KEPT_MESSAGE);
    // Whoever logs in next at this browser finds nothing of it.
    expect((await logInAgain(agent, other.email)).headers.location).toBe('/');
    expect((await agent.get('/todos/new')).text).not.toContain('Private words');
    expect(await t.db.models.Todo.count({ where: { userId: author.id } })).toBe(0);
  });

  it('sends a login form whose session ended back to the login page, not to a 403', async () => {
    const agent = request.agent(t.app);
    const _csrf = await csrfTokenFrom(agent, '/login');
    endTheSessionAtTheStore(agent);
    const sent = await agent.post('/login').set(fromPage('/login')).type('form').send({ _csrf, email: 'someone@example.com', password: PASSWORD });
    expect([sent.status, sent.headers.location]).toEqual([303, '/login']);
    expect((await agent.get('/login')).text).toContain(SESSION_ENDED_MESSAGE);
  });

  it('still refuses with 403 a form of a live login with a wrong token', async () => {
    await createUser(t, { email: 'draft-live@example.com' });
    const agent = await loginAgent(t, 'draft-live@example.com');
    const sent = await agent.post('/todos').set(fromPage('/todos/new')).type('form').send({ _csrf: 'forged', title: 'x' });
    expect(sent.status).toBe(403);
  });
});
