import { withoutLiterals } from '../../src/db/database';

describe('SQL in debug logs', () => {
  it('replaces every quoted value, so session ids and hashes never reach a log', () => {
    const sql = "SELECT `sid`, `data` FROM `sessions` WHERE `sid` = 'aB3-secret-session-id' AND note = 'it''s \\'quoted\\''";
    const logged = withoutLiterals(sql);
    expect(logged).not.toContain('secret-session-id');
    expect(logged).not.toContain('quoted');
    expect(logged).toBe("SELECT `sid`, `data` FROM `sessions` WHERE `sid` = '?' AND note = '?'");
  });

  it('leaves statements without values readable', () => {
    expect(withoutLiterals('SELECT 1+1 AS result')).toBe('SELECT 1+1 AS result');
  });
});
