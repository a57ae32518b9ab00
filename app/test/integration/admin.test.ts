import request from 'supertest';
import { createUserService, type UserService } from '../../src/accounts/userService';
import type { Database } from '../../src/db/database';
import { enginesWithOwnDatabase, removeAllUsers } from '../helpers/engineDatabases';
import { describeWithService } from '../helpers/requiredService';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, postForm, TestApp } from '../helpers/testApp';

const ROW_ACTIONS = ['block', 'unblock', 'grant-admin', 'revoke-admin', 'delete'];

describe('administration', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let member: Awaited<ReturnType<typeof createUser>>;
  let agent: request.Agent;

  beforeEach(async () => {
    t = await createTestApp();
    admin = await createUser(t, { email: 'admin@example.com', name: 'Admin', isAdmin: true });
    member = await createUser(t, { email: 'member@example.com', name: 'Member' });
    agent = await loginAgent(t, 'admin@example.com');
  });
  afterEach(() => t.close());

  /** POSTs to an admin action with a valid CSRF token. */
  async function act(actor: request.Agent, path: string, fields: Record<string, string> = {}) {
    const token = await csrfTokenFrom(actor, '/account');
    return actor.post(path).type('form').send({ _csrf: token, ...fields });
  }

  async function expectFlashOnUsersPage(text: string) {
    const page = await agent.get('/admin/users');
    expect(page.status).toBe(200);
    expect(page.text).toContain(text);
  }

  describe('access', () => {
    it('sends visitors to the login page', async () => {
      const res = await request(t.app).get('/admin/users');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    });

    it('gives a non-administrator a 403 page on every admin route and changes nothing', async () => {
      const other = await createUser(t, { email: 'other@example.com' });
      const memberAgent = await loginAgent(t, 'member@example.com');
      for (const path of ['/admin/users', '/admin/users/new', `/admin/users/${other.id}/delete`]) {
        const res = await memberAgent.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
        expect(res.text).toContain('for administrators only');
      }
      const posts = ['/admin/users', ...ROW_ACTIONS.map((action) => `/admin/users/${other.id}/${action}`)];
      for (const path of posts) {
        const res = await act(memberAgent, path, { name: 'X', email: 'x@example.com', password: PASSWORD, confirm: PASSWORD });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      expect(await t.services.users.get(other.id)).toMatchObject({ isAdmin: false, isBlocked: false });
      expect(await t.services.users.count()).toBe(3);
    });

    it('rejects every admin form without a CSRF token with 403 and changes nothing', async () => {
      const posts = ['/admin/users', ...ROW_ACTIONS.map((action) => `/admin/users/${member.id}/${action}`)];
      for (const path of posts) {
        const res = await agent.post(path).type('form').send({ name: 'X', email: 'x@example.com', password: PASSWORD, confirm: PASSWORD });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
        expect(res.text).toContain('CSRF');
      }
      expect(await t.services.users.get(member.id)).toMatchObject({ isAdmin: false, isBlocked: false });
      expect(await t.services.users.count()).toBe(2);
    });

    it('answers 404 for a non-numeric or unknown user id', async () => {
      for (const id of ['abc', '1x', '0', '99999']) {
        expect((await agent.get(`/admin/users/${id}/delete`)).status).toBe(404);
        for (const action of ROW_ACTIONS) {
          const res = await act(agent, `/admin/users/${id}/${action}`);
          expect({ id, action, status: res.status }).toEqual({ id, action, status: 404 });
        }
      }
    });
  });

  describe('user list', () => {
    it('lists every user with their role, state, last login and actions', async () => {
      await t.services.users.setBlocked(admin.id, member.id, true);
      const res = await agent.get('/admin/users');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<table class="table">');
      expect(res.text).toContain('admin@example.com');
      expect(res.text).toContain('member@example.com');
      expect(res.text).toContain('<span class="badge badge-admin">Admin</span>');
      expect(res.text).toContain('<span class="badge badge-blocked">Blocked</span>');
      expect(res.text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      expect(res.text).toContain('Never');
      expect(res.text).toContain(`action="/admin/users/${member.id}/unblock"`);
      expect(res.text).toContain(`action="/admin/users/${member.id}/grant-admin"`);
      expect(res.text).toContain(`href="/admin/users/${member.id}/delete"`);
      expect(res.text).not.toContain(`/admin/users/${admin.id}/`);
    });
  });

  describe('creating users', () => {
    it('shows the form and creates an administrator or an ordinary user', async () => {
      const form = await agent.get('/admin/users/new');
      expect(form.status).toBe(200);
      expect(form.text).toContain('name="isAdmin"');

      const res = await postForm(agent, '/admin/users/new', '/admin/users', {
        name: 'Grace',
        email: 'Grace@Example.com',
        password: PASSWORD,
        confirm: PASSWORD,
        isAdmin: 'on',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/users');
      expect(await t.services.users.findByEmail('grace@example.com')).toMatchObject({ name: 'Grace', isAdmin: true });
      await expectFlashOnUsersPage('The account for grace@example.com has been created.');

      const token = await csrfTokenFrom(agent, '/admin/users/new');
      const fromScript = { name: 'Ida', email: 'ida@example.com', password: PASSWORD, confirm: PASSWORD, isAdmin: 'on' };
      const numeric = await agent.post('/admin/users').set('X-CSRF-Token', token).send({ ...fromScript, isAdmin: 1 });
      expect([numeric.status, numeric.text.includes('Send each field as text: isAdmin is not.')]).toEqual([422, true]);
      expect(await t.services.users.findByEmail('ida@example.com')).toBeNull();
      expect((await agent.post('/admin/users').set('X-CSRF-Token', token).send(fromScript)).status).toBe(303);
      expect(await t.services.users.findByEmail('ida@example.com')).toMatchObject({ isAdmin: true });

      await postForm(agent, '/admin/users/new', '/admin/users', { name: 'Alan', email: 'alan@example.com', password: PASSWORD, confirm: PASSWORD });
      expect(await t.services.users.findByEmail('alan@example.com')).toMatchObject({ isAdmin: false });
      await loginAgent(t, 'alan@example.com');
    });

    it('shows validation errors beside the fields with 422 and creates nothing', async () => {
      const res = await postForm(agent, '/admin/users/new', '/admin/users', {
        name: '',
        email: 'nope',
        password: 'short',
        confirm: 'other',
        isAdmin: 'on',
      });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/id="name-error">Enter a name</);
      expect(res.text).toMatch(/id="email-error">Enter a valid email address</);
      expect(res.text).toMatch(/id="password-error">A password needs at least 10 characters</);
      expect(res.text).toMatch(/id="email"[^>]*value="nope"/);
      expect(res.text).toMatch(/id="isAdmin"[^>]*checked/);

      const mismatch = await postForm(agent, '/admin/users/new', '/admin/users', {
        name: 'Grace',
        email: 'grace@example.com',
        password: PASSWORD,
        confirm: `${PASSWORD}!`,
      });
      expect(mismatch.status).toBe(422);
      expect(mismatch.text).toMatch(/id="confirm-error">The passwords do not match</);
      expect(await t.services.users.count()).toBe(2);
    });

    it('refuses an email that is already taken, whatever its case', async () => {
      const res = await postForm(agent, '/admin/users/new', '/admin/users', {
        name: 'Copy',
        email: 'MEMBER@example.com',
        password: PASSWORD,
        confirm: PASSWORD,
      });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/id="email-error">An account with this email already exists</);
      expect(await t.services.users.count()).toBe(2);
    });
  });

  describe('blocking', () => {
    it('blocks a user, ending their live session at once, and unblocks them', async () => {
      const memberAgent = await loginAgent(t, 'member@example.com');
      expect((await memberAgent.get('/account')).status).toBe(200);

      const res = await act(agent, `/admin/users/${member.id}/block`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/users');
      expect((await t.services.users.get(member.id)).isBlocked).toBe(true);
      await expectFlashOnUsersPage('member@example.com is blocked');

      const ended = await memberAgent.get('/account');
      expect(ended.status).toBe(303);
      expect(ended.headers.location).toBe('/login');
      expect((await t.services.auth.authenticate('member@example.com', PASSWORD, '203.0.113.9')).ok).toBe(false);

      expect((await act(agent, `/admin/users/${member.id}/unblock`)).status).toBe(303);
      expect((await t.services.users.get(member.id)).isBlocked).toBe(false);
      await expectFlashOnUsersPage('member@example.com is unblocked');
      await loginAgent(t, 'member@example.com');
    });
  });

  describe('administrator rights', () => {
    it('grants and revokes administrator rights', async () => {
      expect((await act(agent, `/admin/users/${member.id}/grant-admin`)).status).toBe(303);
      expect((await t.services.users.get(member.id)).isAdmin).toBe(true);
      await expectFlashOnUsersPage('member@example.com is now an administrator');
      const promoted = await loginAgent(t, 'member@example.com');
      expect((await promoted.get('/admin/users')).status).toBe(200);

      expect((await act(agent, `/admin/users/${member.id}/revoke-admin`)).status).toBe(303);
      expect((await t.services.users.get(member.id)).isAdmin).toBe(false);
      await expectFlashOnUsersPage('member@example.com is no longer an administrator');
      expect((await promoted.get('/admin/users')).status).toBe(403);
    });
  });

  describe('deleting users', () => {
    it('asks for confirmation, then deletes the user with all their todos', async () => {
      await t.db.models.Todo.create({
        userId: member.id,
        title: 'Member todo',
        details: '',
        detailsHtml: '',
        status: 'new',
        scheduledFor: '2026-01-01',
      });
      const page = await agent.get(`/admin/users/${member.id}/delete`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('member@example.com');
      expect(page.text).toContain(`action="/admin/users/${member.id}/delete"`);

      const res = await postForm(agent, `/admin/users/${member.id}/delete`, `/admin/users/${member.id}/delete`, {});
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/users');
      expect(await t.services.users.findByEmail('member@example.com')).toBeNull();
      expect(await t.db.models.Todo.count({ where: { userId: member.id } })).toBe(0);
      await expectFlashOnUsersPage('The account for member@example.com and all its data have been deleted.');
    });
  });

  describe('rules', () => {
    it('refuses every action on the administrator’s own account with an error message', async () => {
      const cases: Array<[string, string]> = [
        ['block', 'You cannot block your own account'],
        ['revoke-admin', 'You cannot change your own administrator rights'],
        ['grant-admin', 'You cannot change your own administrator rights'],
        ['delete', 'Delete your own account from the account page'],
      ];
      for (const [action, message] of cases) {
        const res = await act(agent, `/admin/users/${admin.id}/${action}`);
        expect({ action, status: res.status, location: res.headers.location }).toEqual({ action, status: 303, location: '/admin/users' });
        await expectFlashOnUsersPage(message);
      }
      const confirmation = await agent.get(`/admin/users/${admin.id}/delete`);
      expect(confirmation.status).toBe(303);
      await expectFlashOnUsersPage('Delete your own account from the account page');
      expect(await t.services.users.get(admin.id)).toMatchObject({ isAdmin: true, isBlocked: false });
      expect((await agent.get('/admin/users')).status).toBe(200);
    });

    it('never leaves the site without an administrator who can log in', async () => {
      const users = t.services.users;
      await expect(users.setAdmin(null, admin.id, false)).rejects.toMatchObject({ kind: 'refused' });
      await expect(users.setBlocked(null, admin.id, true)).rejects.toMatchObject({ kind: 'refused' });
      await expect(users.delete(null, admin.id)).rejects.toMatchObject({ kind: 'refused' });

      const blockedAdmin = await createUser(t, { email: 'blocked-admin@example.com', isAdmin: true });
      await users.setBlocked(admin.id, blockedAdmin.id, true);
      await expect(users.setAdmin(null, admin.id, false)).rejects.toMatchObject({ kind: 'refused' });
      await expect(users.delete(null, admin.id)).rejects.toMatchObject({ kind: 'refused' });

      expect(await users.get(admin.id)).toMatchObject({ isAdmin: true, isBlocked: false });
      expect((await agent.get('/admin/users')).status).toBe(200);
    });
  });
});

for (const engine of enginesWithOwnDatabase()) {
  describeWithService(engine.service, engine.available, `last administrator rules under concurrent changes on ${engine.name}`, () => {
    let db: Database;
    let users: UserService;
    beforeAll(async () => {
      db = await engine.open();
      users = createUserService(db);
    });
    afterAll(() => engine.dispose(db));
    beforeEach(() => removeAllUsers(db));

    async function admins(count: number): Promise<number[]> {
      const created = [];
      for (let index = 0; index < count; index++) {
        created.push((await users.create({ name: `Admin ${index}`, email: `admin${index}@example.com`, password: PASSWORD, isAdmin: true })).id);
      }
      return created;
    }

    /** Runs the changes at once; exactly `allowed` of them may succeed, the others are refused by the rule. */
    async function expectOnlySome(changes: Array<() => Promise<unknown>>, allowed: number): Promise<void> {
      const outcomes = await Promise.allSettled(changes.map((change) => change()));
      const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(refusals.map((reason) => (reason as { kind?: string }).kind)).toEqual(Array(changes.length - allowed).fill('refused'));
      expect(await db.models.User.count({ where: { isAdmin: true, isBlocked: false } })).toBe(1);
    }

    it('lets only one of two administrators lose their rights when both are revoked at once', async () => {
      const [first, second] = await admins(2);
      await expectOnlySome([() => users.setAdmin(null, first, false), () => users.setAdmin(null, second, false)], 1);
    });

    it('lets only one of two administrators be blocked when both are blocked at once', async () => {
      const [first, second] = await admins(2);
      await expectOnlySome([() => users.setBlocked(null, first, true), () => users.setBlocked(null, second, true)], 1);
    });

    it('lets only one of two administrators be deleted when both are deleted at once', async () => {
      const [first, second] = await admins(2);
      await expectOnlySome([() => users.delete(null, first), () => users.delete(null, second)], 1);
      expect(await db.models.User.count()).toBe(1);
    });

    it('keeps one administrator when revoking, blocking and deleting race each other', async () => {
      const [first, second, third] = await admins(3);
      await expectOnlySome(
        [() => users.setAdmin(null, first, false), () => users.setBlocked(null, second, true), () => users.delete(null, third)],
        2,
      );
    });
  });
}
