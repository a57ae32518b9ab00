/**
 * A regular expression matching exactly the decimal numbers above `limit` (leading zeros allowed): any
 * number with more digits, or as many digits and a larger digit at the first place where they differ.
 */
export function numbersAbovePattern(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`expected a whole number, got ${limit}`);
  const digits = String(limit);
  const alternatives = [`[1-9]\\d{${digits.length},}`];
  for (let place = 0; place < digits.length; place += 1) {
    const digit = Number(digits[place]);
    if (digit === 9) continue;
    const larger = digit === 8 ? '9' : `[${digit + 1}-9]`;
    const rest = digits.length - place - 1;
    alternatives.push(`${digits.slice(0, place)}${larger}${rest > 0 ? `\\d{${rest}}` : ''}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}
