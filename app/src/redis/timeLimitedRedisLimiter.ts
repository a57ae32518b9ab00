import { RateLimiterRedis } from 'rate-limiter-flexible';
import { redisAnswerWithin } from './answerLimit';

/**
 * The Redis calls every RateLimiterRedis operation is made of (consume, reward, delete...). They
 * are not in the package's type declarations; RateLimiterStoreAbstract hands any failure of theirs
 * to the insurance limiter.
 */
interface RedisLimiterCalls {
  _upsert(rlKey: string, points: number, msDuration: number, forceExpire?: boolean, options?: object): Promise<unknown>;
  _get(rlKey: string, options?: object): Promise<unknown>;
  _delete(rlKey: string, options?: object): Promise<unknown>;
}

const redisCalls = RateLimiterRedis.prototype as unknown as RedisLimiterCalls;

export type RedisLimiterOptions = ConstructorParameters<typeof RateLimiterRedis>[0];

/**
 * A RateLimiterRedis whose Redis calls fail after `limitMs` without an answer, so a frozen Redis
 * (which accepts commands and never answers) makes the limiter count in its insurance limiter
 * within the limit instead of holding the request forever.
 */
export class TimeLimitedRateLimiterRedis extends RateLimiterRedis implements RedisLimiterCalls {
  constructor(
    options: RedisLimiterOptions,
    private readonly limitMs: number,
  ) {
    super(options);
  }

  _upsert(...call: Parameters<RedisLimiterCalls['_upsert']>): Promise<unknown> {
    return redisAnswerWithin(redisCalls._upsert.apply(this, call), this.limitMs);
  }

  _get(...call: Parameters<RedisLimiterCalls['_get']>): Promise<unknown> {
    return redisAnswerWithin(redisCalls._get.apply(this, call), this.limitMs);
  }

  _delete(...call: Parameters<RedisLimiterCalls['_delete']>): Promise<unknown> {
    return redisAnswerWithin(redisCalls._delete.apply(this, call), this.limitMs);
  }
}
