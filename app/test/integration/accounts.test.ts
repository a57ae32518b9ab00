import request from 'supertest';
import { verifyPassword } from '../../src/auth/passwords';
import { createTestApp, createUser, csrfTokenFrom, loginAgent, PASSWORD, postForm, TestApp } from '../helpers/testApp';

const NEW_PASSWORD = 'a brand new passphrase';

describe('account page', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  async function passwordWorks(email: string, password: string): Promise<boolean> {
    return (await t.services.auth.authenticate(email, password, '203.0.113.9')).ok;
  }

  it('sends visitors to the login page', async () => {
    await createUser(t);
    const res = await request(t.app).get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  it('shows the profile form, the password form, the API token link and the delete section', async () => {
    await createUser(t, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const agent = await loginAgent(t, 'ada@example.com');
    const res = await agent.get('/account');
    expect(res.status).toBe(200);
    expect(res.text).toContain('action="/account/profile"');
    expect(res.text).toMatch(/id="profile-name"[^>]*value="Ada Lovelace"/);
    expect(res.text).toMatch(/id="profile-email"[^>]*value="ada@example.com"/);
    expect(res.text).toContain('action="/account/password"');
    expect(res.text).toContain('name="currentPassword"');
    expect(res.text).toContain('href="/account/tokens"');
    expect(res.text).toContain('href="/account/delete"');
  });

  describe('profile', () => {
    it('saves name and email, storing the email in lower case', async () => {
      const user = await createUser(t, { email: 'ada@example.com', name: 'Ada' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await postForm(agent, '/account', '/account/profile', { name: ' Ada King ', email: 'Countess@Example.com' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
      expect(await t.services.users.get(user.id)).toMatchObject({ name: 'Ada King', email: 'countess@example.com' });
      const page = await agent.get('/account');
      expect(page.text).toContain('Your profile has been saved.');
      expect(page.text).toMatch(/id="profile-email"[^>]*value="countess@example.com"/);
    });

    it('shows validation errors beside the fields with 422 and changes nothing', async () => {
      const user = await createUser(t, { email: 'ada@example.com', name: 'Ada' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await postForm(agent, '/account', '/account/profile', { name: '', email: 'not-an-email' });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/aria-describedby="profile-name-error"/);
      expect(res.text).toMatch(/id="profile-name-error">Enter a name</);
      expect(res.text).toMatch(/id="profile-email-error">Enter a valid email address</);
      expect(res.text).toMatch(/id="profile-email"[^>]*value="not-an-email"/);
      expect(await t.services.users.get(user.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    });

    it('names the problem in words for fields that are not text and for a body that is not a form', async () => {
      const user = await createUser(t, { email: 'ada@example.com', name: 'Ada' });
      const agent = await loginAgent(t, 'ada@example.com');
      const token = await csrfTokenFrom(agent, '/account');
      const repeated = await agent.post('/account/profile').type('form').send(`_csrf=${encodeURIComponent(token)}&name=Ada&email=a%40example.com&email=b%40example.com`);
      expect(repeated.status).toBe(422);
      expect(repeated.text).toMatch(/id="profile-email-error">Send this field as text</);
      const notText = await agent.post('/account/profile').set('X-CSRF-Token', token).send({ name: null, email: 'ada@example.com' });
      expect(notText.text).toMatch(/id="profile-name-error">Send this field as text</);
      expect(notText.text).not.toContain('Expected string');
      const number = await agent.post('/account/password').set('X-CSRF-Token', token).send({ currentPassword: PASSWORD, newPassword: 12345678901, confirmPassword: 12345678901 });
      expect(number.text).toMatch(/id="new-password-error">Send this field as text</);
      for (const path of ['/account/profile', '/account/password', '/account/tokens']) {
        const res = await agent.post(path).set('X-CSRF-Token', token).send(['ada@example.com']);
        expect({ path, status: res.status }).toEqual({ path, status: 422 });
        expect(res.text).toMatch(/role="alert">The form could not be read\. Reload the page and try again\.</);
      }
      expect(await t.services.users.get(user.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    });

    it('refuses an email another account uses, whatever its case', async () => {
      const user = await createUser(t, { email: 'ada@example.com', name: 'Ada' });
      await createUser(t, { email: 'taken@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await postForm(agent, '/account', '/account/profile', { name: 'Ada', email: 'TAKEN@example.COM' });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/id="profile-email-error">An account with this email already exists</);
      expect((await t.services.users.get(user.id)).email).toBe('ada@example.com');
    });

    it('rejects a form without a CSRF token with 403', async () => {
      const user = await createUser(t, { email: 'ada@example.com', name: 'Ada' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await agent.post('/account/profile').type('form').send({ name: 'Mallory', email: 'mallory@example.com' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('CSRF');
      expect(await t.services.users.get(user.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    });
  });

  describe('password change', () => {
    it('changes the password, ends the other sessions and keeps this one', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const current = await loginAgent(t, 'ada@example.com');
      const other = await loginAgent(t, 'ada@example.com');
      expect((await other.get('/account')).status).toBe(200);

      const res = await postForm(current, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');

      const page = await current.get('/account');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Your password has been changed.');
      const ended = await other.get('/account');
      expect(ended.status).toBe(303);
      expect(ended.headers.location).toBe('/login');

      expect(await passwordWorks('ada@example.com', NEW_PASSWORD)).toBe(true);
      expect(await passwordWorks('ada@example.com', PASSWORD)).toBe(false);
    });

    it('revokes every API token of the user in the same change, and says so', async () => {
      const ada = await createUser(t, { email: 'ada@example.com' });
      const other = await createUser(t, { email: 'other@example.com' });
      const { token } = await t.services.tokens.create(ada.id, 'backup script');
      const { token: otherToken } = await t.services.tokens.create(other.id, 'their script');
      const apiAs = (bearer: string) => request(t.app).get('/api/todos').set('Authorization', `Bearer ${bearer}`);
      expect((await apiAs(token)).status).toBe(200);

      const agent = await loginAgent(t, 'ada@example.com');
      const res = await postForm(agent, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(res.status).toBe(303);
      expect((await agent.get('/account')).text).toContain('your API tokens revoked');
      expect((await apiAs(token)).status).toBe(401);
      expect(await t.services.tokens.list(ada.id)).toEqual([]);
      expect((await apiAs(otherToken)).status).toBe(200);
    });

    it('keeps the API tokens when the password change is refused', async () => {
      const ada = await createUser(t, { email: 'ada@example.com' });
      const { token } = await t.services.tokens.create(ada.id, 'backup script');
      await expect(t.services.users.changePassword(ada.id, 'not the password at all', NEW_PASSWORD)).rejects.toMatchObject({ kind: 'invalid' });
      await expect(t.services.users.changePassword(ada.id, PASSWORD, PASSWORD)).rejects.toMatchObject({ kind: 'invalid' });
      expect((await request(t.app).get('/api/todos').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    });

    it('rejects a wrong current password beside the field and changes nothing', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const current = await loginAgent(t, 'ada@example.com');
      const other = await loginAgent(t, 'ada@example.com');
      const res = await postForm(current, '/account', '/account/password', {
        currentPassword: 'not the password at all',
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/id="current-password-error">The current password is not correct</);
      expect(await passwordWorks('ada@example.com', PASSWORD)).toBe(true);
      expect((await other.get('/account')).status).toBe(200);
    });

    it('enforces 10 to 128 characters and a matching confirmation', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      const short = await postForm(agent, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: 'short',
        confirmPassword: 'short',
      });
      expect(short.status).toBe(422);
      expect(short.text).toMatch(/id="new-password-error">A password needs at least 10 characters</);

      const long = 'x'.repeat(129);
      const tooLong = await postForm(agent, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: long,
        confirmPassword: long,
      });
      expect(tooLong.status).toBe(422);
      expect(tooLong.text).toMatch(/id="new-password-error">A password has at most 128 characters</);

      const mismatch = await postForm(agent, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: `${NEW_PASSWORD}!`,
      });
      expect(mismatch.status).toBe(422);
      expect(mismatch.text).toMatch(/id="confirm-password-error">The passwords do not match</);
      expect(await passwordWorks('ada@example.com', PASSWORD)).toBe(true);
    });

    it('rejects a form without a CSRF token with 403', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await agent
        .post('/account/password')
        .type('form')
        .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(res.status).toBe(403);
      expect(await passwordWorks('ada@example.com', PASSWORD)).toBe(true);
    });
  });

  describe('deleting the account', () => {
    async function addTodos(userId: number, count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        await t.db.models.Todo.create({
          userId,
          title: `Todo ${i}`,
          details: '',
          detailsHtml: '',
          status: 'new',
          scheduledFor: '2026-01-01',
        });
      }
    }

    it('asks for the password on a confirmation page', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await agent.get('/account/delete');
      expect(res.status).toBe(200);
      expect(res.text).toContain('action="/account/delete"');
      expect(res.text).toMatch(/<label for="password">/);
    });

    it('deletes the user with all their todos, ends the session and says so on the login page', async () => {
      const user = await createUser(t, { email: 'ada@example.com' });
      const other = await createUser(t, { email: 'other@example.com' });
      await addTodos(user.id, 3);
      await addTodos(other.id, 2);
      const agent = await loginAgent(t, 'ada@example.com');
      const secondSession = await loginAgent(t, 'ada@example.com');

      const res = await postForm(agent, '/account/delete', '/account/delete', { password: PASSWORD });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');

      expect(await t.services.users.findByEmail('ada@example.com')).toBeNull();
      expect(await t.db.models.Todo.count({ where: { userId: user.id } })).toBe(0);
      expect(await t.db.models.Todo.count({ where: { userId: other.id } })).toBe(2);

      const login = await agent.get('/login');
      expect(login.status).toBe(200);
      expect(login.text).toContain('Your account and all its data have been deleted.');
      expect((await agent.get('/account')).headers.location).toBe('/login');
      expect((await secondSession.get('/account')).headers.location).toBe('/login');
    });

    it('refuses a wrong password beside the field and deletes nothing', async () => {
      const user = await createUser(t, { email: 'ada@example.com' });
      await addTodos(user.id, 1);
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await postForm(agent, '/account/delete', '/account/delete', { password: 'not the password at all' });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/id="password-error">The password is not correct</);
      expect(await t.services.users.findByEmail('ada@example.com')).not.toBeNull();
      expect(await t.db.models.Todo.count({ where: { userId: user.id } })).toBe(1);
      expect((await agent.get('/account')).status).toBe(200);
    });

    it('rejects a form without a CSRF token with 403', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      const res = await agent.post('/account/delete').type('form').send({ password: PASSWORD });
      expect(res.status).toBe(403);
      expect(await t.services.users.findByEmail('ada@example.com')).not.toBeNull();
    });

    it('never lets the last administrator delete their account', async () => {
      await createUser(t, { email: 'boss@example.com', isAdmin: true });
      await createUser(t, { email: 'staff@example.com' });
      const agent = await loginAgent(t, 'boss@example.com');

      const page = await agent.get('/account/delete');
      expect(page.text).toContain('The last administrator cannot be deleted');
      expect(page.text).not.toContain('action="/account/delete"');

      const token = await csrfTokenFrom(agent, '/account');
      const res = await agent.post('/account/delete').type('form').send({ _csrf: token, password: PASSWORD });
      expect(res.status).toBe(400);
      expect(res.text).toContain('The last administrator cannot be deleted');
      expect(await t.services.users.findByEmail('boss@example.com')).not.toBeNull();
      expect((await agent.get('/account')).status).toBe(200);
    });

    it('counts only administrators who can still log in', async () => {
      const boss = await createUser(t, { email: 'boss@example.com', isAdmin: true });
      const blockedAdmin = await createUser(t, { email: 'blocked-admin@example.com', isAdmin: true });
      await t.services.users.setBlocked(boss.id, blockedAdmin.id, true);
      const agent = await loginAgent(t, 'boss@example.com');
      const res = await postForm(agent, '/account', '/account/delete', { password: PASSWORD });
      expect(res.status).toBe(400);
      expect(await t.services.users.findByEmail('boss@example.com')).not.toBeNull();
    });

    it('lets an administrator go while another administrator remains', async () => {
      await createUser(t, { email: 'boss@example.com', isAdmin: true });
      await createUser(t, { email: 'deputy@example.com', isAdmin: true });
      const agent = await loginAgent(t, 'boss@example.com');
      const res = await postForm(agent, '/account/delete', '/account/delete', { password: PASSWORD });
      expect(res.status).toBe(303);
      expect(await t.services.users.findByEmail('boss@example.com')).toBeNull();
    });
  });

  describe('wrong passwords', () => {
    const wrongPasswordChange = { currentPassword: 'not the password at all', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };

    it('refuses password checks with 429 and the time to wait after 5 wrong current passwords', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      for (let attempt = 0; attempt < 5; attempt++) {
        expect((await postForm(agent, '/account', '/account/password', wrongPasswordChange)).status).toBe(422);
      }
      const refused = await postForm(agent, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
      expect(refused.text).toMatch(/Too many wrong passwords\. Try again in 1[45] minutes\./);
      const stored = await t.services.users.findByEmail('ada@example.com');
      expect(await verifyPassword(stored!.passwordHash, PASSWORD)).toBe(true);
      // Wrong passwords on the account page and at login count against one limit.
      expect(await t.services.auth.authenticate('ada@example.com', PASSWORD, '203.0.113.9')).toMatchObject({ reason: 'throttled' });

      const deletion = await postForm(agent, '/account/delete', '/account/delete', { password: PASSWORD });
      expect(deletion.status).toBe(429);
      expect(await t.services.users.findByEmail('ada@example.com')).not.toBeNull();
    });

    it('counts wrong passwords on the delete page and keeps the account', async () => {
      await createUser(t, { email: 'ada@example.com' });
      const agent = await loginAgent(t, 'ada@example.com');
      for (let attempt = 0; attempt < 5; attempt++) {
        expect((await postForm(agent, '/account/delete', '/account/delete', { password: `wrong password ${attempt}` })).status).toBe(422);
      }
      const refused = await postForm(agent, '/account/delete', '/account/delete', { password: PASSWORD });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(await t.services.users.findByEmail('ada@example.com')).not.toBeNull();
    });

    it('lets at most 5 of 12 concurrent wrong passwords be checked', async () => {
      const ada = await createUser(t, { email: 'ada@example.com' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, attempt) => t.services.users.deleteOwnAccount(ada.id, `wrong password ${attempt}`)),
      );
      const kinds = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as { kind: string }).kind : 'deleted'));
      expect(kinds.filter((kind) => kind === 'invalid').length).toBeLessThanOrEqual(5);
      expect(kinds.filter((kind) => kind === 'throttled').length).toBeGreaterThanOrEqual(7);
    });

    it('starts afresh after a right password', async () => {
      const ada = await createUser(t, { email: 'ada@example.com' });
      for (let attempt = 0; attempt < 4; attempt++) {
        await expect(t.services.users.changePassword(ada.id, 'not the password at all', NEW_PASSWORD)).rejects.toMatchObject({ kind: 'invalid' });
      }
      await expect(t.services.users.changePassword(ada.id, PASSWORD, PASSWORD)).rejects.toMatchObject({ kind: 'invalid', fields: { newPassword: expect.any(String) } });
      for (let attempt = 0; attempt < 4; attempt++) {
        await expect(t.services.users.changePassword(ada.id, 'not the password at all', NEW_PASSWORD)).rejects.toMatchObject({ kind: 'invalid' });
      }
      await t.services.users.changePassword(ada.id, PASSWORD, NEW_PASSWORD);
      expect(await passwordWorks('ada@example.com', NEW_PASSWORD)).toBe(true);
    });
  });
});
