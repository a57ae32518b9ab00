import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry, type RegistryContentType } from 'prom-client';
import type { MetricsExposition, MetricsSource } from '../observability';
import { withinDeadline } from '../shared';
import { isMessage, MetricsResponse, sendToPrimary, sendToWorker } from './messages';

/**
 * With WEB_CONCURRENCY > 1 every worker counts only its own requests, and a scrape of the shared port
 * reaches one worker at random. So whichever way a scrape arrives, the primary answers it: it asks
 * every worker for its registry (prom-client's AggregatorRegistry, over the cluster IPC channel) and
 * sums them. A worker serving /metrics on the shared port asks the primary for that sum.
 */

/** Longer than prom-client's own 5 s wait for the workers' answers, so its error arrives first. */
const AGGREGATE_TIMEOUT_MS = 7_000;

/** In the primary: the workers' metrics combined, and the answer to a worker that asks for them. */
export function primaryMetrics(): { source: MetricsSource; answerWorker(worker: Worker, message: unknown): void } {
  const aggregator = new AggregatorRegistry();
  const source: MetricsSource = async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
  return {
    source,
    answerWorker(worker, message) {
      if (!isMessage(message, 'todobox:metrics-aggregate-request')) return;
      const reply = (response: Omit<MetricsResponse, 'type' | 'id'>) =>
        sendToWorker(worker, { type: 'todobox:metrics-aggregate-response', id: message.id, ...response });
      source().then(
        (exposition) => reply({ exposition }),
        (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
      );
    },
  };
}

/**
 * In a worker: hands this worker's registry to the primary when it collects, and returns the source
 * /metrics on the shared port uses, which asks the primary for every worker's metrics combined.
 */
export function workerMetrics(registry: Registry<RegistryContentType>): MetricsSource {
  // Constructing one starts prom-client's listener for the primary's collection requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const pending = new Map<number, { resolve(exposition: MetricsExposition): void; reject(error: Error): void }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage(message, 'todobox:metrics-aggregate-response')) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.exposition) waiting.resolve(message.exposition);
    else waiting.reject(new Error(`The primary could not collect the workers' metrics: ${message.error}`));
  });
  return () => {
    const id = nextId++;
    const answered = new Promise<MetricsExposition>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      sendToPrimary({ type: 'todobox:metrics-aggregate-request', id });
    });
    return withinDeadline(answered, AGGREGATE_TIMEOUT_MS, () => {
      pending.delete(id);
      return new Error('The primary did not answer with the workers\' metrics in time');
    });
  };
}
