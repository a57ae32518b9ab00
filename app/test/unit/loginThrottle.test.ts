import { httpHeadersOf, httpStatusOf } from '../../src/errors';
import {
  ACCOUNT_FAILURE_LIMIT,
  ADDRESS_FAILURE_LIMIT,
  accountThrottleKey,
  createLoginThrottle,
  describeWait,
  LoginThrottle,
  THROTTLE_WINDOW_SECONDS,
  tooManyPasswordAttempts,
  unknownLoginThrottleKey,
} from '../../src/auth/loginThrottle';

/** A password check that takes a little while, like argon2, and reports whether it ran. */
function slowCheck(matches: boolean, ran: { count: number }) {
  return async () => {
    ran.count += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return matches;
  };
}

describe('login throttle', () => {
  let throttle: LoginThrottle;
  beforeEach(() => {
    throttle = createLoginThrottle();
  });

  it('lets no more concurrent wrong attempts reach the password check than the account limit', async () => {
    const ran = { count: 0 };
    const results = await Promise.all(
      Array.from({ length: 12 }, () => throttle.checkPassword({ account: 'user:1', address: '198.51.100.1' }, slowCheck(false, ran))),
    );
    expect(ran.count).toBe(ACCOUNT_FAILURE_LIMIT);
    expect(results.filter((result) => result.throttled)).toHaveLength(12 - ACCOUNT_FAILURE_LIMIT);
    const refused = results.find((result) => result.throttled);
    expect(refused).toMatchObject({ throttled: true });
    expect(refused?.throttled && refused.retryAfterSeconds).toBeGreaterThan(THROTTLE_WINDOW_SECONDS - 5);
  });

  it('counts an exempt address (a load generator) per account only, never per address', async () => {
    const exempting = createLoginThrottle(undefined, ['192.0.2.0/24']);
    const ran = { count: 0 };
    const fromGenerator = await Promise.all(
      Array.from({ length: ADDRESS_FAILURE_LIMIT * 2 }, (_, i) => exempting.checkPassword({ account: `user:${300 + i}`, address: '192.0.2.7' }, slowCheck(true, ran))),
    );
    expect(fromGenerator.filter((result) => result.throttled)).toEqual([]);
    const guesses = await Promise.all(
      Array.from({ length: ACCOUNT_FAILURE_LIMIT + 3 }, () => exempting.checkPassword({ account: 'user:399', address: '192.0.2.7' }, slowCheck(false, ran))),
    );
    expect(guesses.filter((result) => result.throttled)).toHaveLength(3);
    const elsewhere = await Promise.all(
      Array.from({ length: ADDRESS_FAILURE_LIMIT + 5 }, (_, i) => exempting.checkPassword({ account: `user:${400 + i}`, address: '198.51.100.9' }, slowCheck(true, ran))),
    );
    expect(elsewhere.filter((result) => result.throttled)).toHaveLength(5);
  });

  it('starts an account afresh after a right password', async () => {
    const attempt = { account: 'user:2', address: '198.51.100.2' };
    const ran = { count: 0 };
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) await throttle.checkPassword(attempt, slowCheck(false, ran));
    expect(await throttle.checkPassword(attempt, slowCheck(true, ran))).toEqual({ throttled: false, matches: true });
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) await throttle.checkPassword(attempt, slowCheck(false, ran));
    expect(await throttle.checkPassword(attempt, slowCheck(true, ran))).toEqual({ throttled: false, matches: true });
  });

  it('never counts right passwords against the address', async () => {
    const ran = { count: 0 };
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT * 2; i++) {
      const result = await throttle.checkPassword({ account: `user:${100 + i}`, address: '198.51.100.3' }, slowCheck(true, ran));
      expect(result).toEqual({ throttled: false, matches: true });
    }
  });

  it('refuses an address after its limit of failures across accounts, and an attempt refused there costs the account nothing', async () => {
    const ran = { count: 0 };
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) {
      await throttle.checkPassword({ account: `email:nobody${i}@example.com`, address: '198.51.100.4' }, slowCheck(false, ran));
    }
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT + 2; i++) {
      const refused = await throttle.checkPassword({ account: 'user:7', address: '198.51.100.4' }, slowCheck(true, ran));
      expect(refused.throttled).toBe(true);
    }
    expect(ran.count).toBe(ADDRESS_FAILURE_LIMIT);
    const elsewhere = await throttle.checkPassword({ account: 'user:7', address: '198.51.100.5' }, slowCheck(true, ran));
    expect(elsewhere).toEqual({ throttled: false, matches: true });
  });

  it('counts an account alone when no address is given', async () => {
    const ran = { count: 0 };
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) await throttle.checkPassword({ account: 'user:8' }, slowCheck(false, ran));
    expect((await throttle.checkPassword({ account: 'user:8' }, slowCheck(true, ran))).throttled).toBe(true);
    expect((await throttle.checkPassword({ account: 'user:8', address: '198.51.100.6' }, slowCheck(true, ran))).throttled).toBe(true);
  });
});

describe('throttle keys and messages', () => {
  it('keys an account by id, and an unknown login by its NFKC lower-case form', () => {
    expect(accountThrottleKey(42)).toBe('user:42');
    expect(unknownLoginThrottleKey(' ＧＨＯＳＴ@Example.com ')).toBe('email:ghost@example.com');
    expect(unknownLoginThrottleKey('user:42')).not.toBe(accountThrottleKey(42));
  });

  it('answers 429 with Retry-After and the time to wait', () => {
    const error = tooManyPasswordAttempts(840);
    expect(httpStatusOf(error)).toBe(429);
    expect(httpHeadersOf(error)).toEqual({ 'Retry-After': '840' });
    expect(error.message).toBe('Too many wrong passwords. Try again in 14 minutes.');
    expect(describeWait(1)).toBe('1 second');
    expect(describeWait(59)).toBe('59 seconds');
    expect(describeWait(61)).toBe('2 minutes');
  });
});
