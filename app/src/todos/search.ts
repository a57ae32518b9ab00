/**
 * `!` escapes LIKE wildcards because, unlike a backslash, it means the same inside a string
 * literal on SQLite, MySQL and PostgreSQL (SQLite has no default escape character at all).
 */
export const LIKE_ESCAPE_CHARACTER = '!';

/** `text` as a LIKE pattern that matches it literally, `%` and `_` included. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[!%_]/g, (character) => `${LIKE_ESCAPE_CHARACTER}${character}`);
}
