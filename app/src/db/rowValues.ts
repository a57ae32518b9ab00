/**
 * Values of rows read with plain queries, which skip the model's conversions: each engine's driver
 * hands some column types over in a shape of its own.
 */

/** SQLite keeps timestamps as text ("2026-12-01 20:50:07.441 +00:00"); MySQL and PostgreSQL give a Date. */
export function timestampOf(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  const iso = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?([+-]\d{2}:\d{2})$/.exec(text);
  return new Date(iso ? `${iso[1]}T${iso[2]}${iso[3] === '+00:00' ? 'Z' : iso[3]}` : text);
}

/** DATEONLY columns: a YYYY-MM-DD string on every engine through Sequelize's parsers, a Date if a driver gives one. */
export function dayOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value);
}

export function dayOrNullOf(value: unknown): string | null {
  return value === null || value === undefined ? null : dayOf(value);
}

/** SQLite and MySQL keep booleans as 0/1, PostgreSQL as true/false. */
export function booleanOf(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/**
 * A timestamp as a query parameter (a replacement or a bind value), in the text each engine's
 * columns hold: SQLite's as its models write it ("2026-12-01 20:50:07.441 +00:00"), MySQL's with
 * its milliseconds (a Date would lose them), PostgreSQL's as a Date its driver converts.
 */
export function timestampParameter(dialect: string, date: Date): Date | string {
  const utc = date.toISOString().slice(0, 23).replace('T', ' ');
  if (dialect === 'sqlite') return `${utc} +00:00`;
  return dialect === 'mysql' ? utc : date;
}
