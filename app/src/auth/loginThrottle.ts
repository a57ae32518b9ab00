import { RateLimiterAbstract, RateLimiterMemory } from 'rate-limiter-flexible';

export const ACCOUNT_FAILURE_LIMIT = 5;
export const ADDRESS_FAILURE_LIMIT = 20;
export const THROTTLE_WINDOW_SECONDS = 15 * 60;

export interface ThrottleVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

const memoryLimiter: LimiterFactory = (options) => new RateLimiterMemory(options);

/**
 * Counts failed logins per account and per client address within a window; once either count
 * reaches its limit, further attempts are refused until the window has passed.
 */
export function createLoginThrottle(makeLimiter: LimiterFactory = memoryLimiter) {
  const byAccount = makeLimiter({ keyPrefix: 'login_fail_account', points: ACCOUNT_FAILURE_LIMIT, duration: THROTTLE_WINDOW_SECONDS });
  const byAddress = makeLimiter({ keyPrefix: 'login_fail_ip', points: ADDRESS_FAILURE_LIMIT, duration: THROTTLE_WINDOW_SECONDS });

  return {
    async check(account: string, address: string): Promise<ThrottleVerdict> {
      const [accountState, addressState] = await Promise.all([byAccount.get(account), byAddress.get(address)]);
      const waits = [
        accountState && accountState.consumedPoints >= ACCOUNT_FAILURE_LIMIT ? accountState.msBeforeNext : 0,
        addressState && addressState.consumedPoints >= ADDRESS_FAILURE_LIMIT ? addressState.msBeforeNext : 0,
      ];
      const waitMs = Math.max(...waits);
      return { allowed: waitMs <= 0, retryAfterSeconds: Math.ceil(waitMs / 1000) };
    },

    async recordFailure(account: string, address: string): Promise<void> {
      await Promise.all([byAccount.penalty(account, 1), byAddress.penalty(address, 1)]);
    },

    async recordSuccess(account: string): Promise<void> {
      await byAccount.delete(account);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
