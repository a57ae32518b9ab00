import { DependencyTimeoutError } from '../observability';
import { withinDeadline } from '../shared';

/**
 * How long a Redis command may go unanswered before the request gives up on it. A frozen Redis
 * (a stopped process, packets silently dropped) keeps the connection open and never answers, and
 * the client sets no deadline of its own on commands already sent: without this limit the request
 * would wait forever.
 */
export const REDIS_ANSWER_LIMIT_MS = 3_000;

/** Settles as `answer` does, or fails with DependencyTimeoutError after `limitMs`; a later answer is ignored. */
export function redisAnswerWithin<T>(answer: Promise<T>, limitMs: number): Promise<T> {
  return withinDeadline(answer, limitMs, () => new DependencyTimeoutError('redis', limitMs));
}
