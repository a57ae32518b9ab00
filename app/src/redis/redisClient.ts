import { createClient } from 'redis';
import type { DependencyMonitor } from '../observability';

export type RedisClient = ReturnType<typeof failFastClient>;

/** Longest pause between two reconnection attempts while Redis is away. */
const MAX_RECONNECT_DELAY_MS = 2_000;

function failFastClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
}

/**
 * A Redis client that fails fast while Redis is away (commands are refused, not queued until it
 * returns, so a request gets its 503 at once instead of hanging) and reconnects by itself. The
 * monitor hears of every lost and regained connection; an 'error' listener is mandatory, as an
 * unheard 'error' event would end the process.
 */
export function createRedisClient(url: string, monitor: DependencyMonitor): RedisClient {
  const client = failFastClient(url);
  client.on('error', (error: unknown) => monitor.markDown('redis', error));
  client.on('ready', () => monitor.markUp('redis'));
  return client;
}

/**
 * Opens the connection and waits until it is ready or the first attempt failed: a Redis that is down
 * at start leaves the app serving 503s for what needs Redis, reconnecting in the background, rather
 * than keeping the app from starting.
 */
export async function connectRedis(client: RedisClient, waitMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: (() => void) | undefined;
  const settled = new Promise<void>((resolve) => {
    onError = () => resolve();
    client.once('error', onError);
    timer = setTimeout(resolve, waitMs);
    client.connect().then(
      () => resolve(),
      () => resolve(),
    );
  });
  await settled;
  clearTimeout(timer);
  client.off('error', onError!);
}

/** Closes the connection, whatever state it is in. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.isReady) {
    await client.close().catch(() => client.destroy());
  } else if (client.isOpen) {
    client.destroy();
  }
}
