import session from 'express-session';
import { TimeLimitedStore } from '../../src/auth/timeLimitedStore';
import { dependencyFailureOf, DependencyTimeoutError } from '../../src/observability/dependencyErrors';

const LIMIT_MS = 3_000;
const SESSION = { cookie: { originalMaxAge: null } } as session.SessionData;

type Callback = (error?: unknown, value?: session.SessionData | null) => void;

/** A store that keeps every callback it is given and answers only when the test says so. */
class HeldStore extends session.Store {
  readonly held: Callback[] = [];

  get(_sid: string, callback: Callback): void {
    this.held.push(callback);
  }

  set(_sid: string, _data: session.SessionData, callback?: Callback): void {
    this.held.push(callback!);
  }

  destroy(_sid: string, callback?: Callback): void {
    this.held.push(callback!);
  }

  touch(_sid: string, _data: session.SessionData, callback?: Callback): void {
    this.held.push(callback!);
  }
}

describe('a session store with a time limit', () => {
  let inner: HeldStore;
  let store: TimeLimitedStore;

  beforeEach(() => {
    jest.useFakeTimers();
    inner = new HeldStore();
    store = new TimeLimitedStore(inner, { dependency: 'redis', ms: LIMIT_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const calls: Array<[string, (store: TimeLimitedStore, callback: Callback) => void]> = [
    ['get', (target, callback) => target.get('sid', callback)],
    ['set', (target, callback) => target.set('sid', SESSION, callback)],
    ['destroy', (target, callback) => target.destroy('sid', callback)],
    ['touch', (target, callback) => target.touch('sid', SESSION, callback)],
  ];

  it.each(calls)('fails %s with a Redis timeout once the store has not answered within the limit', (_name, call) => {
    const callback = jest.fn();
    call(store, callback);
    jest.advanceTimersByTime(LIMIT_MS - 1);
    expect(callback).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(callback).toHaveBeenCalledTimes(1);
    const [error] = callback.mock.calls[0] as [unknown];
    expect(error).toBeInstanceOf(DependencyTimeoutError);
    expect(dependencyFailureOf(error)).toEqual({ dependency: 'redis', kind: 'timeout' });
  });

  it.each(calls)('ignores an answer to %s that comes after the limit', (_name, call) => {
    const callback = jest.fn();
    call(store, callback);
    jest.advanceTimersByTime(LIMIT_MS);
    inner.held[0](null, SESSION);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(callback.mock.calls[0][0]).toBeInstanceOf(DependencyTimeoutError);
  });

  it('passes on an answer in time, and no timeout after it', () => {
    const found = jest.fn();
    store.get('sid', found);
    inner.held[0](null, SESSION);
    jest.advanceTimersByTime(LIMIT_MS * 2);
    expect(found.mock.calls).toEqual([[null, SESSION]]);

    const failed = jest.fn();
    const refused = new Error('The client is offline');
    store.set('sid', SESSION, failed);
    inner.held[1](refused);
    jest.advanceTimersByTime(LIMIT_MS * 2);
    expect(failed.mock.calls).toEqual([[refused, undefined]]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers an error thrown by the wrapped store instead of throwing it', () => {
    const broken = new Error('socket gone');
    inner.get = () => {
      throw broken;
    };
    const callback = jest.fn();
    store.get('sid', callback);
    expect(callback.mock.calls).toEqual([[broken, undefined]]);
  });
});
