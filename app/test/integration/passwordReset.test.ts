import request from 'supertest';
import { createTestApp, createUser, loginAgent, PASSWORD, postForm, TestApp } from '../helpers/testApp';

const TEMPORARY = 'temporary passphrase 7';

describe('an administrator setting a temporary password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('ends the user\'s sessions and tokens, and leads them to choose their own password before anything else', async () => {
    const admin = await createUser(t, { email: 'reset-admin@example.com', isAdmin: true });
    const user = await createUser(t, { email: 'forgetful@example.com' });
    const { token } = await t.services.tokens.create(user.id, 'sync');
    const userAgent = await loginAgent(t, user.email);
    const adminAgent = await loginAgent(t, admin.email);

    expect((await adminAgent.get(`/admin/users/${user.id}/password`)).text).toContain('Temporary password');
    const mismatch = await postForm(adminAgent, `/admin/users/${user.id}/password`, `/admin/users/${user.id}/password`, { password: TEMPORARY, confirm: 'other' });
    expect(mismatch.status).toBe(422);
    const short = await postForm(adminAgent, `/admin/users/${user.id}/password`, `/admin/users/${user.id}/password`, { password: 'short', confirm: 'short' });
    expect(short.status).toBe(422);
    const set = await postForm(adminAgent, `/admin/users/${user.id}/password`, `/admin/users/${user.id}/password`, { password: TEMPORARY, confirm: TEMPORARY });
    expect([set.status, set.headers.location]).toEqual([303, '/admin/users']);
    expect((await adminAgent.get('/admin/users')).text).toContain('has a temporary password');

    expect((await userAgent.get('/')).headers.location).toBe('/login');
    expect((await request(t.app).get('/api/todos').set('Authorization', `Bearer ${token}`)).status).toBe(401);

    const again = await loginAgent(t, user.email, TEMPORARY);
    for (const page of ['/', '/todos/today', '/account/tokens', `/todos/new`]) {
      const res = await again.get(page);
      expect([page, res.status, res.headers.location]).toEqual([page, 303, '/account']);
    }
    const account = await again.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('choose your own password');
    const created = await postForm(again, '/account', '/todos', { title: 'sneaked in', details: '' });
    expect(created.headers.location).toBe('/account');
    expect(await t.db.models.Todo.count({ where: { userId: user.id } })).toBe(0);

    const changed = await postForm(again, '/account', '/account/password', {
      currentPassword: TEMPORARY,
      newPassword: 'my very own passphrase',
      confirmPassword: 'my very own passphrase',
    });
    expect(changed.status).toBe(303);
    expect((await again.get('/todos/today')).status).toBe(200);
    expect((await t.services.users.findByEmail(user.email))!.mustChangePassword).toBe(false);
  });

  it('refuses an administrator\'s own account and an unknown one', async () => {
    const admin = await createUser(t, { email: 'self-reset@example.com', isAdmin: true });
    const agent = await loginAgent(t, admin.email);
    expect((await agent.get(`/admin/users/${admin.id}/password`)).headers.location).toBe('/account');
    expect((await agent.get('/account')).text).toContain('Change your own password on the account page');
    const own = await postForm(agent, '/admin/users', `/admin/users/${admin.id}/password`, { password: TEMPORARY, confirm: TEMPORARY });
    expect(own.headers.location).toBe('/admin/users');
    expect((await agent.get('/admin/users')).text).toContain('Change your own password on the account page');
    // Their own password is unchanged (loginAgent throws unless the login succeeds).
    await loginAgent(t, admin.email, PASSWORD);
    for (const id of ['999999', 'x', '1e3']) {
      const res = await agent.get(`/admin/users/${id}/password`);
      expect([id, res.status]).toEqual([id, 404]);
    }
  });
});
