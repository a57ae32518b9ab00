import { NotFoundError } from './appError';

/** The largest id an INTEGER column holds on every engine; anything beyond cannot name a record. */
const MAX_ID = 2_147_483_647;

/** A record id from a URL; anything that cannot be one is answered like a record that does not exist. */
export function recordId(value: string | string[] | undefined, what: string): number {
  const id = typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
  if (!(id <= MAX_ID)) throw new NotFoundError(what);
  return id;
}
