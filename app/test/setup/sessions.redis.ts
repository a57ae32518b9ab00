// The integration:mariadb and integration:postgres jest projects run as production does: sessions and
// login-throttling counters in Redis.
process.env.TEST_SESSION_STORE = 'redis';
