import fs from 'node:fs';
import path from 'node:path';
import { AppProcess, startAppProcess } from '../helpers/appProcess';
import { InstanceClient } from '../helpers/instanceClient';
import { describeWithService, mariaDbAvailable, REDIS_TEST_URL, redisAvailable, uniqueRedisKeyPrefix } from '../helpers/requiredService';
import { createTestDatabase, TestDatabase } from '../helpers/testDatabase';
import { todobox } from '../helpers/cli';

jest.setTimeout(120_000);

const PASSWORD = 'freshness password 1';

/**
 * What each deployment keeps in memory (pages, users and, with SQLite, sessions) must never
 * outlive a change made on another instance: every check below warms every instance's copies,
 * makes the change on one instance, and reads on every instance straight away.
 */
interface Deployment {
  /** Each instance's address; reads go to all of them. */
  urls: string[];
  /** How many reads reach every instance (a cluster's primary hands connections to the workers in turn). */
  readsPerCheck: number;
  /** What the todobox command needs to reach the deployment's database. */
  databaseEnv: Record<string, string>;
  stop(): Promise<void>;
}

function freshnessChecks(name: string, service: string, available: boolean, start: () => Promise<Deployment>) {
  describeWithService(service, available, name, () => {
    let deployment: Deployment;
    let admin: InstanceClient;
    let registered = 0;

    /** Every instance, as many times as reaching each of them takes. */
    const everyInstance = () => Array.from({ length: deployment.readsPerCheck }, (_, index) => index);

    async function readEverywhere(client: InstanceClient, path: string) {
      const answers = [];
      for (const instance of everyInstance()) answers.push(await client.get(instance, path));
      return answers;
    }

    async function newUser(): Promise<{ client: InstanceClient; email: string }> {
      registered += 1;
      const email = `fresh${registered}@example.com`;
      const client = new InstanceClient(deployment.urls);
      const made = await client.submit(0, '/register', '/register', { name: `Fresh ${registered}`, email, password: PASSWORD, confirm: PASSWORD });
      expect(made.status).toBe(303);
      expect((await logIn(client, email)).status).toBe(303);
      return { client, email };
    }

    function logIn(client: InstanceClient, email: string, password = PASSWORD) {
      return client.submit(0, '/login', '/login', { email, password });
    }

    async function userId(email: string): Promise<string> {
      const page = await admin.get(0, '/admin/users');
      const row = page.text.slice(page.text.indexOf(`<th scope="row">${email}</th>`));
      const id = /action="\/admin\/users\/(\d+)\/block"/.exec(row)?.[1];
      if (!id) throw new Error(`No block button for ${email} on the users page`);
      return id;
    }

    beforeAll(async () => {
      deployment = await start();
      admin = new InstanceClient(deployment.urls);
      const setup = await admin.submit(0, '/setup', '/setup', { name: 'Admin', email: 'admin@example.com', password: PASSWORD, confirm: PASSWORD });
      expect(setup.status).toBe(303);
      expect((await logIn(admin, 'admin@example.com')).status).toBe(303);
    });

    afterAll(async () => {
      await deployment?.stop();
    });

    it('shows a todo created on one instance on every instance at once', async () => {
      const { client } = await newUser();
      for (const page of await readEverywhere(client, '/todos/today')) expect(page.text).toContain('Nothing planned for today.');
      for (const instance of everyInstance()) {
        const title = `Made on instance ${instance}`;
        const created = await client.submit(instance, '/todos/new', '/todos', { title, details: '', when: 'today' });
        expect(created.status).toBe(303);
        for (const page of await readEverywhere(client, '/todos/today')) expect({ status: page.status, hasTodo: page.text.includes(title) }).toEqual({ status: 200, hasTodo: true });
      }
    });

    it('shows a status changed on one instance on every instance at once, on the list and the todo page', async () => {
      const { client } = await newUser();
      const created = await client.submit(0, '/todos/new', '/todos', { title: 'Change my status', details: '', when: 'today' });
      const todoPath = created.location!;
      await readEverywhere(client, '/todos/today');
      await readEverywhere(client, todoPath);
      const changed = await client.submit(1, todoPath, `${todoPath}/status`, { status: 'done' });
      expect(changed.status).toBe(303);
      for (const page of [...(await readEverywhere(client, '/todos/today')), ...(await readEverywhere(client, todoPath))]) {
        expect(page.text).toContain('status status-done');
      }
    });

    it('ends a session logged out on one instance on every instance at once, even for a copied cookie', async () => {
      const { client } = await newUser();
      const copied = new InstanceClient(deployment.urls);
      for (const page of await readEverywhere(client, '/todos/today')) expect(page.status).toBe(200);
      const stolenCookie = client.sessionCookie()!;
      expect((await client.submit(0, '/todos/today', '/logout', {})).status).toBe(303);
      for (const instance of everyInstance()) {
        const page = await copied.request(instance, { path: '/todos/today', headers: { cookie: stolenCookie } });
        expect({ status: page.status, location: page.location }).toEqual({ status: 303, location: '/login' });
      }
    });

    it('logs a user blocked on one instance out of every instance at once', async () => {
      const { client, email } = await newUser();
      for (const page of await readEverywhere(client, '/todos/today')) expect(page.status).toBe(200);
      const id = await userId(email);
      expect((await admin.submit(0, '/admin/users', `/admin/users/${id}/block`, {}, 1)).status).toBe(303);
      for (const page of await readEverywhere(client, '/todos/today')) expect({ status: page.status, location: page.location }).toEqual({ status: 303, location: '/login' });
    });

    it('ends the other sessions of a password changed on one instance on every instance at once', async () => {
      const { client: first, email } = await newUser();
      const second = new InstanceClient(deployment.urls);
      expect((await logIn(second, email)).status).toBe(303);
      for (const page of await readEverywhere(second, '/todos/today')) expect(page.status).toBe(200);
      const changed = await first.submit(1, '/account', '/account/password', {
        currentPassword: PASSWORD,
        newPassword: 'a brand new password',
        confirmPassword: 'a brand new password',
      });
      expect(changed.status).toBe(303);
      for (const page of await readEverywhere(second, '/todos/today')) expect({ status: page.status, location: page.location }).toEqual({ status: 303, location: '/login' });
      for (const page of await readEverywhere(first, '/todos/today')) expect(page.status).toBe(200);
    });

    it('logs out, within seconds on every instance, the users whose sessions `todobox user:logout` ended from outside the app', async () => {
      const [{ client: one, email }, { client: other }] = [await newUser(), await newUser()];
      for (const client of [one, other]) for (const page of await readEverywhere(client, '/todos/today')) expect(page.status).toBe(200);
      const loggedOut = await todobox(['user:logout', email], deployment.databaseEnv);
      expect(loggedOut).toMatchObject({ code: 0, stderr: '' });
      // Instances read a user again within seconds of a change they did not make (see createUserRecords).
      const deadline = Date.now() + 30_000;
      let answers = await readEverywhere(one, '/todos/today');
      while (answers.some((page) => page.status === 200) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        answers = await readEverywhere(one, '/todos/today');
      }
      for (const page of answers) expect({ status: page.status, location: page.location }).toEqual({ status: 303, location: '/login' });
      for (const page of await readEverywhere(other, '/todos/today')) expect(page.status).toBe(200);
      expect((await logIn(one, email)).status).toBe(303);
      for (const page of await readEverywhere(one, '/todos/today')) expect(page.status).toBe(200);

      expect((await todobox(['user:logout', '--all'], deployment.databaseEnv)).stdout).toMatch(/Ended the sessions of all \d+ user\(s\)/);
      const everyone = Date.now() + 30_000;
      let adminPage = await admin.get(0, '/todos/today');
      while (adminPage.status === 200 && Date.now() < everyone) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        adminPage = await admin.get(0, '/todos/today');
      }
      expect({ status: adminPage.status, location: adminPage.location }).toEqual({ status: 303, location: '/login' });
      expect((await logIn(admin, 'admin@example.com')).status).toBe(303);
    });

    it('accepts a form on one instance with the token another instance put in the session, and shows its message anywhere', async () => {
      const { client } = await newUser();
      for (const instance of everyInstance()) {
        const created = await client.submit(instance, '/todos/new', '/todos', { title: `Across ${instance}`, details: '', when: 'today' }, instance + 1);
        expect(created.status).toBe(303);
        const shown = await client.get(instance + 2, created.location!);
        expect(shown.text).toContain(`Todo &quot;Across ${instance}&quot; created.`);
        expect((await client.get(instance + 3, created.location!)).text).not.toContain('created.</div>');
      }
    });
  });
}

freshnessChecks('caches on SQLite with two worker processes', 'SQLite', true, async () => {
  const app: AppProcess = await startAppProcess({ WEB_CONCURRENCY: '2', REGISTRATION: 'open' });
  // Both workers listen before the checks begin.
  const deadline = Date.now() + 20_000;
  while (app.lines().filter((line) => line.message === 'TodoBox startup').length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    urls: [app.url],
    readsPerCheck: 4,
    databaseEnv: { DATABASE_NAME: path.join(app.dir, 'todobox.db'), LOG_DIR: path.join(app.dir, 'cli-logs') },
    async stop() {
      await app.stop();
      fs.rmSync(app.dir, { recursive: true, force: true });
    },
  };
});

freshnessChecks(
  'caches on MariaDB with sessions in Redis, two app processes',
  'MariaDB and Redis',
  mariaDbAvailable() && redisAvailable(),
  async () => {
    const database: TestDatabase = await createTestDatabase('mysql');
    const env = {
      ...database.env,
      REDIS_URL: REDIS_TEST_URL,
      REDIS_KEY_PREFIX: uniqueRedisKeyPrefix(),
      SECRET_KEY: 'freshness-shared-secret-key-0123456789',
      SALT: 'freshness-shared-salt',
      REGISTRATION: 'open',
    };
    const first = await startAppProcess(env);
    const second = await startAppProcess(env);
    return {
      urls: [first.url, second.url],
      readsPerCheck: 2,
      databaseEnv: { ...database.env, LOG_DIR: path.join(first.dir, 'cli-logs') },
      async stop() {
        await Promise.all([first.stop(), second.stop()]);
        for (const app of [first, second]) fs.rmSync(app.dir, { recursive: true, force: true });
        await database.drop();
      },
    };
  },
);
