/** A change that caches of other processes must apply before the request that made it is answered. */
export type CacheChange = { kind: 'user'; userId: number } | { kind: 'session'; sid: string; ended?: boolean };

/**
 * The other app processes of this host (WEB_CONCURRENCY workers), each with caches of its own:
 * told of every change, and answering once they have applied it.
 */
export interface Siblings {
  tell(change: CacheChange): Promise<void>;
  /** Registers what a change reported by another process does here. */
  onChange(apply: (change: CacheChange) => void): void;
}
