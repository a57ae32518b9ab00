import { ACCOUNT_FAILURE_LIMIT, createLoginThrottle, redisLimiter } from '../../src/auth/loginThrottle';
import type { RedisClient } from '../../src/redis/redisClient';

const LIMIT_MS = 50;

/** A Redis client that accepts every command and never answers, like a Redis stopped with SIGSTOP. */
function frozenRedisClient(): RedisClient {
  const never = () => new Promise<never>(() => undefined);
  const pipeline = { set: () => pipeline, pTTL: () => pipeline, incrBy: () => pipeline, get: () => pipeline, exec: never };
  return { eval: never, del: never, multi: () => pipeline } as unknown as RedisClient;
}

describe('the login throttle on a Redis that never answers', () => {
  it('counts in memory within the time limit instead of waiting for Redis', async () => {
    const throttle = createLoginThrottle(redisLimiter(frozenRedisClient(), 'todobox-test:', LIMIT_MS));
    const wrong = async () => false;
    const started = Date.now();
    for (let attempt = 0; attempt < ACCOUNT_FAILURE_LIMIT; attempt++) {
      expect(await throttle.checkPassword({ account: 'user:1', address: '198.51.100.9' }, wrong)).toEqual({ throttled: false, matches: false });
    }
    expect(await throttle.checkPassword({ account: 'user:1', address: '198.51.100.9' }, wrong)).toMatchObject({ throttled: true });
    // Each attempt waits at most one limit for its counters (taken in parallel) and one for giving points back.
    expect(Date.now() - started).toBeLessThan((ACCOUNT_FAILURE_LIMIT + 1) * LIMIT_MS * 2 + 1_000);
  });

  it('lets a right password through, clearing the counters within the time limit', async () => {
    const throttle = createLoginThrottle(redisLimiter(frozenRedisClient(), 'todobox-test:', LIMIT_MS));
    const right = async () => true;
    await expect(throttle.checkPassword({ account: 'user:2', address: '198.51.100.10' }, right)).resolves.toEqual({ throttled: false, matches: true });
  });
});
