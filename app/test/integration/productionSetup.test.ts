import request from 'supertest';
import { todobox } from '../helpers/cli';
import { issueSetupToken, SETUP_TOKEN_LIFETIME_MS } from '../../src/accounts/setupToken';
import { createTestApp, csrfTokenFrom, PASSWORD, TestApp } from '../helpers/testApp';

const PRODUCTION = { NODE_ENV: 'production', SECRET_KEY: 'p'.repeat(64), SALT: 'q'.repeat(32) };

async function setupTokenFromCli(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const run = await todobox(['setup:token'], env);
  return { code: run.code, out: (run.stdout + run.stderr).trim() };
}

describe('setting up a fresh production instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(PRODUCTION);
  });
  afterAll(() => t.close());

  const account = { name: 'Owner', email: 'owner@example.com', password: PASSWORD, confirm: PASSWORD };
  async function submitSetup(fields: Record<string, string>) {
    const agent = request.agent(t.app);
    // Once set up, /setup leads away: the form is then as an earlier visitor kept it open.
    const _csrf = await csrfTokenFrom(agent, (await t.services.users.count()) ? '/login' : '/setup');
    return agent.post('/setup').type('form').send({ _csrf, ...fields });
  }

  it('asks for a setup token, and creates no administrator without a right, current one', async () => {
    const page = await request(t.app).get('/setup');
    expect(page.text).toContain('name="setupToken"');
    expect(page.text).toContain('todobox setup:token');
    const expired = issueSetupToken(PRODUCTION.SECRET_KEY, Date.now() - SETUP_TOKEN_LIFETIME_MS - 1000);
    const otherSecret = issueSetupToken('another-deployment-secret-key-0123456789');
    for (const setupToken of [undefined, '', 'guess', expired, otherSecret, `${expired.split('.')[0]}.${otherSecret.split('.')[1]}`]) {
      const res = await submitSetup(setupToken === undefined ? account : { ...account, setupToken });
      expect([setupToken, res.status]).toEqual([setupToken, 422]);
      expect(res.text).toContain('This setup token is not right or has expired');
    }
    expect(await t.services.users.count()).toBe(0);
  });

  it('creates the administrator with the token todobox setup:token prints, once', async () => {
    const printed = await setupTokenFromCli({ ...PRODUCTION, LOG_DIR: '' });
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    const created = await submitSetup({ ...account, setupToken: printed.out });
    expect([created.status, created.headers.location]).toEqual([303, '/login']);
    const users = await t.services.users.list();
    expect(users.map((user) => [user.email, user.isAdmin])).toEqual([['owner@example.com', true]]);
    const again = await submitSetup({ ...account, email: 'second@example.com', setupToken: printed.out });
    expect(again.status).toBe(409);
    expect(await t.services.users.count()).toBe(1);
    expect(JSON.stringify(t.logs.entries)).not.toContain(printed.out.split('.')[1]);
  });

  it('prints no token outside production, where /setup needs none', async () => {
    const printed = await setupTokenFromCli({ NODE_ENV: 'development', LOG_DIR: '' });
    expect(printed.code).not.toBe(0);
    expect(printed.out).toContain('needs no token');
  });
});
