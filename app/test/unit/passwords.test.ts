import { hashPassword, verifyPassword } from '../../src/auth/passwords';

describe('stored password hashes', () => {
  it('are argon2id at the production cost: 64 MiB, 3 passes, 4 lanes', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
    await expect(verifyPassword(hash, 'correct horse battery')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'correct horse batterY')).resolves.toBe(false);
  });
});
