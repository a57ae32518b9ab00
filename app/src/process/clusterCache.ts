import cluster, { type Worker } from 'node:cluster';
import type { CacheChange, Siblings } from '../cache';
import type { Logger } from '../observability';
import { isMessage, sendToPrimary, sendToWorker } from './messages';

/**
 * With WEB_CONCURRENCY > 1 each worker caches sessions, users and pages of its own. A worker that
 * changes one tells the primary, which passes the change to every other worker and confirms once
 * each has applied it; only then is the request that made the change answered, so the next request
 * sees it on whichever worker it reaches.
 */

/**
 * A worker that has not applied a change by then is stuck or dying (the primary replaces dead
 * ones); the change is confirmed without it rather than holding every write of the app.
 */
export const CONFIRM_TIMEOUT_MS = 1_000;

/** In the primary: passes each worker's changes to the others and confirms them to the worker. */
export function primaryCacheRelay(logger: Logger): { fromWorker(worker: Worker, message: unknown): void; workerExited(worker: Worker): void } {
  let nextId = 0;
  const pending = new Map<number, { waitingOn: Set<Worker>; done(): void }>();
  const settleIfDone = (id: number) => {
    const entry = pending.get(id);
    if (entry && entry.waitingOn.size === 0) entry.done();
  };
  return {
    fromWorker(worker, message) {
      if (isMessage(message, 'todobox:cache-applied')) {
        pending.get(message.id)?.waitingOn.delete(worker);
        settleIfDone(message.id);
        return;
      }
      if (!isMessage(message, 'todobox:cache-tell')) return;
      const id = nextId++;
      const others = Object.values(cluster.workers ?? {}).filter((other): other is Worker => Boolean(other) && other !== worker && other!.isConnected());
      const timer = setTimeout(() => {
        const late = pending.get(id)?.waitingOn.size ?? 0;
        logger.warn('Workers did not confirm a cache change in time', { event: 'cache_change_unconfirmed', workers: late });
        pending.get(id)?.done();
      }, CONFIRM_TIMEOUT_MS);
      pending.set(id, {
        waitingOn: new Set(others),
        done: () => {
          clearTimeout(timer);
          pending.delete(id);
          sendToWorker(worker, { type: 'todobox:cache-confirmed', id: message.id });
        },
      });
      for (const other of others) sendToWorker(other, { type: 'todobox:cache-apply', id, change: message.change });
      settleIfDone(id);
    },
    workerExited(worker) {
      for (const [id, entry] of pending) {
        entry.waitingOn.delete(worker);
        settleIfDone(id);
      }
    },
  };
}

/** In a worker: the other workers, reached through the primary. */
export function workerSiblings(): Siblings {
  let nextId = 0;
  const waiting = new Map<number, () => void>();
  const appliers: Array<(change: CacheChange) => void> = [];
  process.on('message', (message: unknown) => {
    if (isMessage(message, 'todobox:cache-apply')) {
      for (const apply of appliers) apply(message.change);
      sendToPrimary({ type: 'todobox:cache-applied', id: message.id });
    } else if (isMessage(message, 'todobox:cache-confirmed')) {
      waiting.get(message.id)?.();
    }
  });
  return {
    tell(change) {
      const id = nextId++;
      return new Promise<void>((resolve) => {
        // The primary confirms even without every answer; this only covers a primary that is gone.
        const timer = setTimeout(finish, 2 * CONFIRM_TIMEOUT_MS);
        function finish() {
          clearTimeout(timer);
          waiting.delete(id);
          resolve();
        }
        waiting.set(id, finish);
        sendToPrimary({ type: 'todobox:cache-tell', id, change });
      });
    },
    onChange(apply) {
      appliers.push(apply);
    },
  };
}
