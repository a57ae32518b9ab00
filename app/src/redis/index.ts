export { REDIS_ANSWER_LIMIT_MS, redisAnswerWithin } from './answerLimit';
export { RedisClient, closeRedis, connectRedis, createRedisClient } from './redisClient';
export { TimeLimitedRateLimiterRedis } from './timeLimitedRedisLimiter';
