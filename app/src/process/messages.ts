import type { CacheChange } from '../cache';
import type { MetricsExposition } from '../observability';

/**
 * Every message between the primary of `WEB_CONCURRENCY=N` and its workers, over the cluster IPC
 * channel. prom-client's AggregatorRegistry sends messages of its own on the same channel, so each
 * side reads only the types named here and leaves the rest alone.
 */

/** Worker → primary: log entries for the file only the primary writes. */
export interface LogLines {
  type: 'todobox:log';
  lines: Array<Record<string, unknown>>;
}

/** Worker → primary: /metrics on the shared port asks for every worker's metrics combined. */
export interface MetricsRequest {
  type: 'todobox:metrics-aggregate-request';
  id: number;
}

/** Primary → worker: the combined metrics, or why they could not be collected. */
export interface MetricsResponse {
  type: 'todobox:metrics-aggregate-response';
  id: number;
  exposition?: MetricsExposition;
  error?: string;
}

/** Worker → primary: this worker changed something the other workers keep a copy of. */
export interface CacheTell {
  type: 'todobox:cache-tell';
  id: number;
  change: CacheChange;
}

/** Primary → worker: another worker's change, to apply. */
export interface CacheApply {
  type: 'todobox:cache-apply';
  id: number;
  change: CacheChange;
}

/** Worker → primary: the change is applied here. */
export interface CacheApplied {
  type: 'todobox:cache-applied';
  id: number;
}

/** Primary → worker: every other worker has applied the change (or ran out of time). */
export interface CacheConfirmed {
  type: 'todobox:cache-confirmed';
  id: number;
}

export type WorkerMessage = LogLines | MetricsRequest | CacheTell | CacheApplied;
export type PrimaryMessage = MetricsResponse | CacheApply | CacheConfirmed;
type Message = WorkerMessage | PrimaryMessage;

/** Whether `message` is one of ours of the given type (anything may arrive on the channel). */
export function isMessage<T extends Message['type']>(message: unknown, type: T): message is Extract<Message, { type: T }> {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** From a worker to its primary; nothing happens in a process that has no primary. */
export function sendToPrimary(message: WorkerMessage): void {
  process.send?.(message);
}

/** From the primary to one worker, unless that worker is gone. */
export function sendToWorker(worker: { isConnected(): boolean; send(message: PrimaryMessage): unknown }, message: PrimaryMessage): void {
  if (worker.isConnected()) worker.send(message);
}
