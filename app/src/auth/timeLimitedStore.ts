import session from 'express-session';
import { Dependency, DependencyTimeoutError } from '../observability';

type Answer<T> = (error?: unknown, value?: T) => void;

/**
 * A session store that answers within a time limit: when the store it wraps has not answered in
 * time, the request gets a DependencyTimeoutError (a 503 through the error handler) instead of
 * waiting forever for a store that accepted the command and froze. A later answer is ignored.
 */
export class TimeLimitedStore extends session.Store {
  constructor(
    private readonly store: session.Store,
    private readonly limit: { dependency: Dependency; ms: number },
  ) {
    super();
  }

  private withinLimit<T>(callback: Answer<T> | undefined, call: (answer: Answer<T>) => void): void {
    let answered = false;
    const answer: Answer<T> = (error, value) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      callback?.(error, value);
    };
    const timer = setTimeout(() => answer(new DependencyTimeoutError(this.limit.dependency, this.limit.ms)), this.limit.ms);
    try {
      call(answer);
    } catch (error) {
      answer(error);
    }
  }

  get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    this.withinLimit(callback, (answer) => this.store.get(sid, answer));
  }

  set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    this.withinLimit(callback, (answer) => this.store.set(sid, data, answer));
  }

  destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.withinLimit(callback, (answer) => this.store.destroy(sid, answer));
  }

  touch(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    const { store } = this;
    if (!store.touch) {
      callback?.();
      return;
    }
    this.withinLimit(callback, (answer) => store.touch!(sid, data, answer));
  }
}
