import session from 'express-session';
import { CachedSessionStore } from '../../src/auth/cachedSessionStore';
import type { CacheChange, Siblings } from '../../src/cache/siblings';

/** A store whose reads wait until released, so a test can land a write while one is under way. */
class SlowStore extends session.Store {
  readonly data = new Map<string, string>();
  reads = 0;
  private held: Array<() => void> = [];
  private heldWrites: Array<() => void> = [];
  hold = false;
  holdWrites = false;

  get(sid: string, callback: (error: unknown, value?: session.SessionData | null) => void): void {
    this.reads += 1;
    const found = this.data.get(sid);
    const answer = () => callback(null, found ? JSON.parse(found) : null);
    if (this.hold) this.held.push(answer);
    else answer();
  }

  /** Like a database, a write held back is not seen by reads until it commits. */
  set(sid: string, value: session.SessionData, callback?: (error?: unknown) => void): void {
    const commit = () => {
      this.data.set(sid, JSON.stringify(value));
      callback?.();
    };
    if (this.holdWrites) this.heldWrites.push(commit);
    else commit();
  }

  destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.data.delete(sid);
    callback?.();
  }

  release(): void {
    this.hold = false;
    for (const answer of this.held.splice(0)) answer();
  }

  commit(): void {
    this.holdWrites = false;
    for (const commit of this.heldWrites.splice(0)) commit();
  }
}

function siblings() {
  const appliers: Array<(change: CacheChange) => void> = [];
  const told: CacheChange[] = [];
  let confirm: (() => void) | undefined;
  const value: Siblings & { told: CacheChange[]; arrive(change: CacheChange): void; confirmLater(): () => void } = {
    told,
    tell: (change) => {
      told.push(change);
      return confirm ? new Promise<void>((resolve) => (confirm = resolve)) : Promise.resolve();
    },
    onChange: (apply) => appliers.push(apply),
    arrive: (change) => appliers.forEach((apply) => apply(change)),
    confirmLater: () => {
      confirm = () => undefined;
      return () => confirm?.();
    },
  };
  return value;
}

const sessionOf = (note: string, expires?: Date, user: number | undefined = 1) =>
  ({ cookie: { originalMaxAge: null, expires, httpOnly: true, path: '/' }, note, ...(user ? { passport: { user } } : {}) }) as unknown as session.SessionData & {
    note: string;
  };

const read = (store: session.Store, sid: string) =>
  new Promise<(session.SessionData & { note?: string }) | null | undefined>((resolve, reject) => store.get(sid, (error, value) => (error ? reject(error) : resolve(value))));
const write = (store: session.Store, sid: string, value: session.SessionData) =>
  new Promise<void>((resolve, reject) => store.set(sid, value, (error) => (error ? reject(error) : resolve())));

describe('sessions kept in memory', () => {
  it('answers from memory after the first read, each read with its own copy', async () => {
    const inner = new SlowStore();
    inner.data.set('a', JSON.stringify(sessionOf('one')));
    const store = new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000 });
    const first = await read(store, 'a');
    first!.note = 'changed by a request';
    expect((await read(store, 'a'))?.note).toBe('one');
    expect(inner.reads).toBe(1);
  });

  it('does not keep what a read found when a write landed while the read was under way', async () => {
    const inner = new SlowStore();
    inner.data.set('a', JSON.stringify(sessionOf('old')));
    const store = new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000 });
    inner.hold = true;
    const underWay = read(store, 'a');
    await write(store, 'a', sessionOf('new'));
    inner.release();
    expect((await underWay)?.note).toBe('old');
    expect((await read(store, 'a'))?.note).toBe('new');
  });

  it('does not keep what a read found when it began while a write was under way and ended after it', async () => {
    const inner = new SlowStore();
    inner.data.set('a', JSON.stringify(sessionOf('old')));
    const store = new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000 });
    inner.holdWrites = true;
    const written = write(store, 'a', sessionOf('new'));
    inner.hold = true;
    const underWay = read(store, 'a');
    inner.commit();
    await written;
    inner.release();
    expect((await underWay)?.note).toBe('old');
    expect((await read(store, 'a'))?.note).toBe('new');
  });

  it('drops its copy when another process reports a change, and tells the others of its own', async () => {
    const inner = new SlowStore();
    const others = siblings();
    inner.data.set('a', JSON.stringify(sessionOf('one')));
    const store = new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000, siblings: others });
    await read(store, 'a');
    inner.data.set('a', JSON.stringify(sessionOf('written elsewhere')));
    others.arrive({ kind: 'session', sid: 'a' });
    expect((await read(store, 'a'))?.note).toBe('written elsewhere');
    await write(store, 'a', sessionOf('written here'));
    await new Promise<void>((resolve, reject) => store.destroy('a', (error) => (error ? reject(error) : resolve())));
    expect(others.told).toEqual([
      { kind: 'session', sid: 'a', ended: false },
      { kind: 'session', sid: 'a', ended: true },
    ]);
    expect(await read(store, 'a')).toBeNull();
  });

  it('keeps no copy of a session another process ended, even when a late save of it arrives', async () => {
    const inner = new SlowStore();
    const others = siblings();
    const store = new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000, siblings: others });
    await write(store, 'a', sessionOf('logged in'));
    others.arrive({ kind: 'session', sid: 'a', ended: true });
    inner.data.delete('a');
    await write(store, 'a', sessionOf('saved late'));
    inner.data.delete('a');
    expect(await read(store, 'a')).toBeNull();
  });

  it('answers a save only once the other processes have confirmed it', async () => {
    const others = siblings();
    const store = new CachedSessionStore(new SlowStore(), { maxBytes: 1_000_000, ttlMs: 60_000, siblings: others });
    const confirm = others.confirmLater();
    let answered = false;
    store.set('a', sessionOf('one'), () => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    confirm();
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(true);
  });

  it('keeps only the sessions of a login, and no more of them than its size', async () => {
    const inner = new SlowStore();
    inner.data.set('visitor', JSON.stringify(sessionOf('a login form', undefined, 0)));
    const store = new CachedSessionStore(inner, { maxBytes: 3_000, ttlMs: 60_000 });
    await read(store, 'visitor');
    await read(store, 'visitor');
    expect(inner.reads).toBe(2);
    for (let index = 0; index < 20; index++) await write(store, `user-${index}`, sessionOf('x'.repeat(100)));
    inner.reads = 0;
    await read(store, 'user-19');
    expect(inner.reads).toBe(0);
    await read(store, 'user-0');
    expect(inner.reads).toBe(1);
  });

  it('never answers a session whose cookie has expired', async () => {
    const inner = new SlowStore();
    const store = new CachedSessionStore(inner, { maxBytes: 1_000_000, ttlMs: 60_000 });
    await write(store, 'a', sessionOf('short', new Date(Date.now() + 50)));
    expect((await read(store, 'a'))?.note).toBe('short');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await read(store, 'a')).toBeNull();
  });
});
