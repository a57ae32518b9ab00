// The integration suite runs once per database engine and hashes a password for nearly every test.
// At argon2's production cost (64 MiB, 3 passes, about 0.2 s a hash on two cores) hashing would
// dominate the run, so these projects hash with argon2id at its lowest cost. Hashes keep the real
// format, and verification reads the cost from the hash, so every password path stays real.
jest.mock('argon2', () => {
  const argon2 = jest.requireActual<typeof import('argon2')>('argon2');
  return {
    ...argon2,
    hash: (password: string, options: Parameters<typeof argon2.hash>[1]) =>
      argon2.hash(password, { ...options, memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  };
});
