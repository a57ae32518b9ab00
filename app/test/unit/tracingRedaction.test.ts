import { maskSqlLiterals } from '../../src/tracing/redaction';

describe('the SQL a span records', () => {
  it('keeps the statement and its identifiers, and replaces every literal with ?', () => {
    const sql = `INSERT INTO sessions (sid, expires, data) VALUES ('abc''def', '2026-12-04', '{"csrfToken":"x1"}') ON CONFLICT (sid) DO UPDATE SET expires = 42`;
    for (const dialect of ['mysql', 'postgres'] as const) {
      expect(maskSqlLiterals(sql, dialect)).toBe('INSERT INTO sessions (sid, expires, data) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET expires = ?');
    }
  });

  it("masks MySQL's backslash-escaped quotes and keeps quoted identifiers and numbered names", () => {
    const sql = "SELECT `id` FROM `users` WHERE \"todobox_test_1\".name = 'o\\'brien' AND id > 7.5 LIMIT 1";
    expect(maskSqlLiterals(sql, 'mysql')).toBe("SELECT `id` FROM `users` WHERE \"todobox_test_1\".name = ? AND id > ? LIMIT ?");
  });

  it('reads a PostgreSQL value ending in a backslash as one literal, so the next one is masked too', () => {
    const sql = "UPDATE todo SET title = 'C:\\' WHERE sid = 'SECRET-SESSION'";
    expect(maskSqlLiterals(sql, 'postgres')).toBe('UPDATE todo SET title = ? WHERE sid = ?');
    expect(maskSqlLiterals(sql, 'postgres')).not.toContain('SECRET');
  });
});
