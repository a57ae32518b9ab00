import net from 'node:net';
import { createDependencyMonitor } from '../../src/observability/dependencyMonitor';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { closeRedis, connectRedis, createRedisClient, RedisClient } from '../../src/redis/redisClient';
import { describeWithService } from '../helpers/requiredService';
import { PrivateServer, privateRedisAvailable, startPrivateRedis } from '../helpers/privateServers';
import { MemoryTransport } from '../helpers/testApp';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP relay to Redis that can be told to drop the next connections in the middle of the client's
 * handshake (after its first command arrives, before any answer): what a restarting server or a
 * failing-over proxy does, and the moment at which some Redis client versions stopped reconnecting
 * for good.
 */
function startRelay(targetPort: number) {
  let dropsLeft = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (dropsLeft > 0) {
      dropsLeft -= 1;
      client.once('data', () => client.destroy());
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    /** Cuts every open connection and drops the next `count` during their handshake. */
    cut(count: number) {
      dropsLeft = count;
      for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeWithService('redis-server (private instance)', privateRedisAvailable(), 'the Redis client after lost connections', () => {
  let redis: PrivateServer;
  let relay: ReturnType<typeof startRelay>;
  let client: RedisClient;
  const logs = new MemoryTransport();
  const logger = createLogger({ level: 'info' });
  logger.clear().add(logs);
  const monitor = createDependencyMonitor({ logger, metrics: createMetrics(), probes: {} });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    relay = startRelay(redis.port);
    const port = await relay.listen();
    client = createRedisClient(`redis://127.0.0.1:${port}`, monitor);
    await connectRedis(client);
  }, 60_000);

  afterAll(async () => {
    monitor.close();
    await closeRedis(client);
    await relay?.close();
    await redis?.remove();
  });

  async function readyWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (client.isReady && (await client.ping().catch(() => null)) === 'PONG') return true;
      await sleep(50);
    }
    return false;
  }

  it.each([1, 2, 5])('connects again by itself when the connection is cut and the next %i handshakes are dropped', async (drops) => {
    expect(await client.ping()).toBe('PONG');
    relay.cut(drops);
    await sleep(20);
    expect(await readyWithin(20_000)).toBe(true);
    expect(monitor.isDown('redis')).toBe(false);
    expect(await client.set('reconnect-test', String(drops))).toBe('OK');
  }, 30_000);
});
