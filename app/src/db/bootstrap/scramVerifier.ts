import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's own default (scram_iterations) and salt length. */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 and 7677, in pg_authid's
 * form), to send as a role's PASSWORD instead of the password itself, which the server would write to
 * its log with the statement. The password's UTF-8 bytes are hashed as they are, as node-postgres
 * does when it logs in: for an ASCII password SASLprep (which libpq applies, as psql and pg_dump do)
 * changes nothing.
 */
export function scramVerifier(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  const saltedPassword = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const storedKey = createHash('sha256').update(hmac(saltedPassword, 'Client Key')).digest();
  const serverKey = hmac(saltedPassword, 'Server Key');
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
