import { ConnectionAcquireTimeoutError, ConnectionError, ConnectionRefusedError, DatabaseError, UniqueConstraintError } from 'sequelize';
import { ClientClosedError, ClientOfflineError, SocketClosedUnexpectedlyError } from 'redis';
import { dependencyFailureOf } from '../../src/observability/dependencyErrors';
import { createDependencyMonitor } from '../../src/observability/dependencyMonitor';
import { createMetrics } from '../../src/observability/metrics';
import { createLogger } from '../../src/observability/logger';
import { MemoryTransport } from '../helpers/testApp';

function driverError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function lostConnection(code: string): DatabaseError {
  return new DatabaseError(Object.assign(driverError('Connection lost: The server closed the connection.', code), { sql: 'SELECT 1', parameters: [] }));
}

describe('classifying dependency errors', () => {
  it.each([
    ['a refused connection', new ConnectionRefusedError(driverError('connect ECONNREFUSED', 'ECONNREFUSED')), 'connection_refused'],
    ['a pool acquire timeout', new ConnectionAcquireTimeoutError(new Error('Operation timeout')), 'connection_acquire_timeout'],
    ['any other connection error', new ConnectionError(new Error('boom')), 'connection'],
    ['a connection lost during a MySQL query', lostConnection('PROTOCOL_CONNECTION_LOST'), 'connection_lost'],
    ['a PostgreSQL administrator shutdown', lostConnection('57P01'), 'connection_lost'],
  ])('takes %s for a database outage', (_name, error, kind) => {
    expect(dependencyFailureOf(error)).toEqual({ dependency: 'database', kind });
  });

  it.each([
    ['an offline client', new ClientOfflineError()],
    ['a closed client', new ClientClosedError()],
    ['a socket closed unexpectedly', new SocketClosedUnexpectedlyError()],
    ['a stream that cannot be written', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a command whose socket was reset under it', driverError('read ECONNRESET', 'ECONNRESET')],
    ['a command written to a socket already closed', driverError('write EPIPE', 'EPIPE')],
  ])('takes %s for a Redis outage', (_name, error) => {
    expect(dependencyFailureOf(error)).toEqual({ dependency: 'redis', kind: 'connection' });
  });

  it('leaves bugs and constraint violations alone', () => {
    expect(dependencyFailureOf(new TypeError('x is undefined'))).toBeNull();
    expect(dependencyFailureOf(new UniqueConstraintError({}))).toBeNull();
    expect(dependencyFailureOf(new DatabaseError(Object.assign(driverError('syntax error', 'ER_PARSE_ERROR'), { sql: '', parameters: [] })))).toBeNull();
    expect(dependencyFailureOf('a string')).toBeNull();
  });
});

describe('dependency monitor', () => {
  function monitorWith(probe: () => Promise<unknown>) {
    const logs = new MemoryTransport();
    const logger = createLogger({ level: 'info' });
    logger.clear().add(logs);
    const metrics = createMetrics();
    const monitor = createDependencyMonitor({ logger, metrics, probes: { database: probe }, recheckIntervalMs: 20 });
    return { logs, metrics, monitor };
  }

  it('counts every failed request but logs an outage once when it starts and once when it ends', async () => {
    let answering = false;
    const { logs, metrics, monitor } = monitorWith(async () => {
      if (!answering) throw new ConnectionRefusedError(driverError('connect ECONNREFUSED', 'ECONNREFUSED'));
    });
    try {
      for (let request = 0; request < 5; request++) {
        expect(monitor.recordError(new ConnectionRefusedError(driverError('connect ECONNREFUSED', 'ECONNREFUSED')))).not.toBeNull();
      }
      expect(monitor.recordError(new TypeError('a bug'))).toBeNull();
      expect(monitor.isDown('database')).toBe(true);
      expect(await metrics.registry.getSingleMetricAsString('todobox_db_errors_total')).toMatch(/kind="connection_refused"} [5-9]/);
      expect(logs.entries.filter((entry) => entry.event === 'dependency_down')).toHaveLength(1);

      answering = true;
      // The monitor notices the recovery by itself, with no request coming in.
      for (let wait = 0; wait < 50 && monitor.isDown('database'); wait++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(monitor.isDown('database')).toBe(false);
      const recovered = logs.entries.filter((entry) => entry.event === 'dependency_recovered');
      expect(recovered).toHaveLength(1);
      expect(recovered[0]).toMatchObject({ dependency: 'database', outageSeconds: expect.any(Number) });
      expect(await monitor.check()).toEqual({ database: 'ok' });
      expect(logs.entries.filter((entry) => entry.event === 'dependency_down')).toHaveLength(1);
    } finally {
      monitor.close();
    }
  });
});
