/**
 * Removes passwords from a message (a client program's, or a server's that quotes the statement it
 * failed on) before anyone sees it. The longest goes first, so a password containing another leaves
 * no part of itself behind.
 */
export function redact(text: string, ...passwords: Array<string | undefined>): string {
  const present = passwords.filter((password): password is string => Boolean(password)).sort((a, b) => b.length - a.length);
  return present.reduce((redacted, password) => redacted.split(password).join('***'), text);
}
