import proxyAddr from 'proxy-addr';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors';
import { REDIS_ANSWER_LIMIT_MS, TimeLimitedRateLimiterRedis, type RedisClient } from '../redis';

export const ACCOUNT_FAILURE_LIMIT = 5;
export const ADDRESS_FAILURE_LIMIT = 20;
export const THROTTLE_WINDOW_SECONDS = 15 * 60;

/** Whom a password attempt counts against: an account and, for a login, the client address. */
export interface PasswordAttempt {
  account: string;
  address?: string;
}

export type PasswordCheck = { throttled: true; retryAfterSeconds: number } | { throttled: false; matches: boolean };

export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

const memoryLimiter: LimiterFactory = (options) => new RateLimiterMemory(options);

/**
 * Counters in Redis, shared by every app process. While Redis is away, or leaves a call unanswered
 * for `limitMs`, each process counts in its own memory instead, so guesses stay limited (per
 * process) rather than unlimited, refused or left waiting.
 */
export function redisLimiter(client: RedisClient, keyPrefix: string, limitMs = REDIS_ANSWER_LIMIT_MS): LimiterFactory {
  return (options) =>
    new TimeLimitedRateLimiterRedis(
      {
        ...options,
        keyPrefix: `${keyPrefix}${options.keyPrefix}`,
        storeClient: client,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(options),
      },
      limitMs,
    );
}

/** The counter key of an existing account: every spelling of its email the database matches shares it. */
export function accountThrottleKey(userId: number): string {
  return `user:${userId}`;
}

/** The counter key of a login that matches no account. */
export function unknownLoginThrottleKey(email: string): string {
  return `email:${email.normalize('NFKC').trim().toLowerCase()}`;
}

/**
 * Limits password guesses per account and per client address within a window. Each attempt takes
 * its points before the password is checked, so concurrent attempts cannot all slip past a count
 * that has not yet seen the others fail.
 */
export function createLoginThrottle(makeLimiter: LimiterFactory = memoryLimiter, exemptAddresses: string[] = []) {
  const byAccount = makeLimiter({ keyPrefix: 'login_fail_account', points: ACCOUNT_FAILURE_LIMIT, duration: THROTTLE_WINDOW_SECONDS });
  const byAddress = makeLimiter({ keyPrefix: 'login_fail_ip', points: ADDRESS_FAILURE_LIMIT, duration: THROTTLE_WINDOW_SECONDS });
  // A load generator logs in many users at once from one address; each account's own limit still holds for it.
  const exempt = proxyAddr.compile(exemptAddresses);
  const countsPerAddress = (address: string | undefined): address is string => address !== undefined && !exempt(address, 0);

  function countersOf(attempt: PasswordAttempt): Array<[RateLimiterAbstract, string]> {
    const counters: Array<[RateLimiterAbstract, string]> = [[byAccount, attempt.account]];
    if (countsPerAddress(attempt.address)) counters.push([byAddress, attempt.address]);
    return counters;
  }

  /**
   * Takes a point from every counter and answers null, or the milliseconds to wait when a counter is
   * over its limit; a refused attempt checks no password, so it gives back what it took.
   */
  async function take(attempt: PasswordAttempt): Promise<number | null> {
    const counters = countersOf(attempt);
    const outcomes = await Promise.allSettled(counters.map(([limiter, key]) => limiter.consume(key)));
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (refusals.length === 0) return null;
    await Promise.all(
      outcomes.map((outcome, index) => (outcome.status === 'fulfilled' ? counters[index][0].reward(counters[index][1], 1) : undefined)),
    );
    const storeFailure = refusals.find((refusal) => !(refusal instanceof RateLimiterRes));
    if (storeFailure !== undefined) throw storeFailure;
    return Math.max(...refusals.map((refusal) => (refusal as RateLimiterRes).msBeforeNext));
  }

  /**
   * A right password clears the account's count and returns the address's point: everyday logins
   * from one office behind a shared address never count against it.
   */
  async function release(attempt: PasswordAttempt): Promise<void> {
    await Promise.all([
      byAccount.delete(attempt.account),
      countsPerAddress(attempt.address) ? byAddress.reward(attempt.address, 1) : undefined,
    ]);
  }

  return {
    /** Runs `check` (which verifies the password) unless the attempt is over a limit. */
    async checkPassword(attempt: PasswordAttempt, check: () => Promise<boolean>): Promise<PasswordCheck> {
      const waitMs = await take(attempt);
      if (waitMs !== null) return { throttled: true, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      const matches = await check();
      if (matches) await release(attempt);
      return { throttled: false, matches };
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The answer to a password check refused by the throttle, with the time to wait. */
export function tooManyPasswordAttempts(retryAfterSeconds: number): AppError {
  return new AppError('throttled', `Too many wrong passwords. Try again in ${describeWait(retryAfterSeconds)}.`, { retryAfterSeconds });
}
