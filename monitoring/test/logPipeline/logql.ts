/**
 * The parts of a LogQL query the tests check against the log pipeline: which stream labels it
 * selects on, which line filters it applies, which JSON fields it extracts and groups by.
 */

/** The label names of every stream selector (`{job="todobox", env=~"$env"}`). */
export function selectorLabels(expr: string): string[] {
  const labels = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((match) => [...match[1].matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((label) => label[1]));
  return [...new Set(labels)].sort();
}

/** The text of each `|= "..."` line filter, in order. */
export function lineFilters(expr: string): string[] {
  return [...expr.matchAll(/\|=\s*"((?:[^"\\]|\\.)*)"/g)].map((match) => JSON.parse(`"${match[1]}"`) as string);
}

/** The fields a `| json a, b` stage extracts; `all` for a bare `| json`, which extracts every field. */
export function jsonFields(expr: string): string[] | 'all' | undefined {
  const match = /\|\s*json\b([^|[]*)/.exec(expr);
  if (!match) return undefined;
  const fields = match[1].split(',').map((field) => field.trim()).filter(Boolean);
  return fields.length > 0 ? fields : 'all';
}

/** Labels compared after the parser stages (`| event=~"..."`), outside the stream selector. */
export function labelFilters(expr: string): string[] {
  const afterSelector = expr.replace(/\{[^}]*\}/g, '');
  return [...afterSelector.matchAll(/\|\s*(\w+)\s*(?:=~|!~|!=|==|=)\s*"/g)].map((match) => match[1]);
}

/** The labels of every `by (...)` grouping. */
export function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((match) => match[1].split(',').map((label) => label.trim()).filter(Boolean));
}
