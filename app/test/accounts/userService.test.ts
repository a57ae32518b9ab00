import { createTestApp, createUser, PASSWORD, TestApp } from '../helpers/testApp';
import { ValidationError } from '../../src/errors';
import type { UserService } from '../../src/accounts';

/** The user service checks what it stores itself, whichever caller (a page, the command, a new one) hands it input. */
describe('user service', () => {
  let t: TestApp;
  let users: UserService;

  beforeEach(async () => {
    t = await createTestApp();
    users = t.services.users;
  });
  afterEach(() => t.close());

  async function refusedFields(promise: Promise<unknown>): Promise<string[]> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return Object.keys((error as ValidationError).fields).sort();
  }

  it('refuses a new account whose fields break the rules, and stores nothing', async () => {
    expect(await refusedFields(users.create({ name: 'x'.repeat(10_000), email: 'long@example.com', password: PASSWORD }))).toEqual(['name']);
    expect(await refusedFields(users.create({ name: 'Short', email: 'not an address', password: 'short' }))).toEqual(['email', 'password']);
    expect(await refusedFields(users.create({ name: ' ', email: 'a@example.com', password: PASSWORD, isAdmin: 'yes' as never }))).toEqual(['isAdmin', 'name']);
    expect(await refusedFields(users.createFirstAdministrator({ name: 'Admin', email: 'admin@example.com', password: 'x'.repeat(129) }))).toEqual(['password']);
    expect(await users.count()).toBe(0);
  });

  it('stores the account as the rules normalise it', async () => {
    const created = await users.create({ name: '  Ada  ', email: ' ADA@Example.COM ', password: PASSWORD });
    expect(created).toMatchObject({ name: 'Ada', email: 'ada@example.com', isAdmin: false });
  });

  it('refuses a profile or a password that breaks the rules, and changes nothing', async () => {
    const ada = await createUser(t, { name: 'Ada', email: 'ada@example.com' });
    expect(await refusedFields(users.updateProfile(ada.id, { name: 'x'.repeat(101), email: 'ada@example.com' }))).toEqual(['name']);
    expect(await refusedFields(users.updateProfile(ada.id, { name: 'Ada', email: 42 as never }))).toEqual(['email']);
    expect(await refusedFields(users.changePassword(ada.id, PASSWORD, 'short'))).toEqual(['newPassword']);
    expect(await refusedFields(users.changePassword(ada.id, '', 'a long enough password'))).toEqual(['currentPassword']);
    expect(await refusedFields(users.deleteOwnAccount(ada.id, undefined as never))).toEqual(['password']);
    expect(await users.get(ada.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    expect(await users.count()).toBe(1);
  });
});
