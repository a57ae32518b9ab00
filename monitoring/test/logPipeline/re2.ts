/**
 * An RE2 expression (what Alloy's stage.regex compiles, Go's regexp) as a JavaScript RegExp, for the
 * part of the syntax both read alike. Whatever only one of them has is refused rather than guessed:
 * lookaround and backreferences (JavaScript only), \A \z \Q...\E and inline flags (RE2 only; Node 20
 * has no inline flags). Named groups are written (?P<name>...) in RE2 and (?<name>...) here. Both treat
 * \d \w \b as ASCII; \s differs only beyond ASCII white space, which an access log line never holds.
 */
const NOT_SHARED: Array<[RegExp, string]> = [
  [/\(\?<?[=!]/, 'lookaround'],
  [/\\[1-9]|\\k</, 'a backreference'],
  [/\\[AzZQE]/, 'an RE2-only escape'],
  [/\(\?[a-zA-Z-]+[:)]/, 'an inline flag'],
  [/[*+?}][+]/, 'a possessive quantifier'],
];

export function re2ToRegExp(expression: string): RegExp {
  // Escaped backslashes first, so `\\1` (a backslash, then 1) is not read as a backreference.
  const unescaped = expression.replace(/\\\\/g, '');
  for (const [pattern, what] of NOT_SHARED) {
    if (pattern.test(unescaped)) throw new Error(`${what} is not read alike by RE2 and JavaScript: ${expression}`);
  }
  return new RegExp(expression.replace(/\(\?P</g, '(?<'));
}
