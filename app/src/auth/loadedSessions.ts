import session from 'express-session';

/** Sessions a request read from the store, as opposed to sessions a request began. */
const loaded = new WeakSet<object>();

/**
 * Makes `store` remember the sessions it hands to express-session after reading them. A save of
 * such a session only updates it while it exists: a request still under way when the session was
 * ended (a logout on another tab or instance) must not write it back and log its cookie in again.
 */
export function rememberLoadedSessions(store: session.Store): session.Store {
  store.createSession = (req, data) => {
    const created = session.Store.prototype.createSession.call(store, req, data);
    loaded.add(created);
    return created;
  };
  return store;
}

/** Whether a session being saved was read from the store (and may only be updated, never written anew). */
export function wasLoaded(data: session.SessionData): boolean {
  return loaded.has(data);
}
