import { redact } from '../../src/cli/redact';

describe('redact', () => {
  it('replaces each of several passwords wherever a server message quotes them', () => {
    const message =
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near " +
      "'IDENTIFIED BY 'app-password-1'' at line 1 (as master with master-password-1, exporter exporter-password-1)";
    const redacted = redact(message, 'app-password-1', 'master-password-1', 'exporter-password-1');
    expect(redacted).toBe(
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near " +
        "'IDENTIFIED BY '***'' at line 1 (as master with ***, exporter ***)",
    );
  });

  it('replaces a password that contains another one whole', () => {
    expect(redact('near secret-and-more', 'secret', 'secret-and-more')).toBe('near ***');
  });

  it('leaves the message as it is for a password that is empty or not set', () => {
    expect(redact('access denied', '', undefined)).toBe('access denied');
  });
});
