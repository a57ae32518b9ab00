import http from 'node:http';
import net from 'node:net';
import { drainable, IDLE_KEEP_ALIVE_GRACE_MS, QUIET_BEFORE_CLOSE_MS } from '../../src/process/gracefulServer';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The raw answer to a request written on an already open connection. */
function answerOn(socket: net.Socket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('draining a server', () => {
  let server: http.Server;
  let port: number;
  let connections: ReturnType<typeof drainable>;

  beforeEach(async () => {
    server = http.createServer();
    connections = drainable(server);
    server.on('request', connections.serve((req, res) => {
      req.resume();
      req.on('end', () => res.end(`served ${req.method}`));
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers reads 503 (to be retried elsewhere) and keeps serving writes until connections stop arriving', async () => {
    expect((await send(port, 'GET', '/todos/today')).status).toBe(200);
    // Connections arrived within the quiet period, so the listener stays open for now.
    const drained = connections.drain(10_000);
    const read = await send(port, 'GET', '/todos/today');
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBe('1');
    expect(read.headers.connection).toBe('close');
    const apiRead = await send(port, 'GET', '/api/todos');
    expect(JSON.parse(apiRead.body)).toEqual({ error: { status: 503, message: expect.any(String) } });
    const write = await send(port, 'POST', '/todos', 'title=x');
    expect(write).toMatchObject({ status: 200, body: 'served POST' });

    expect(await drained).toBe(true);
    await expect(send(port, 'POST', '/todos', 'title=y')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('serves a request that arrives on a connection accepted before the listener closed', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const drained = connections.drain(10_000);
    // Written after the listener closed: a proxy that connected just before would do the same.
    await new Promise((resolve) => setTimeout(resolve, QUIET_BEFORE_CLOSE_MS + 300));
    const answer = await answerOn(socket, 'POST /todos HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\ntitle=z');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('served POST');
    expect(await drained).toBe(true);
  });

  it('leaves an idle keep-alive connection to its peer for a while, serving a POST sent on it with Connection: close', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const first = await new Promise<string>((resolve) => {
      socket.once('data', (chunk) => resolve(String(chunk)));
      socket.write('GET /todos/today HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    const drained = connections.drain(20_000);
    // nginx may reuse its idle connection until its own keepalive_timeout ends it.
    await new Promise((resolve) => setTimeout(resolve, QUIET_BEFORE_CLOSE_MS + 1500));
    const answer = await answerOn(socket, 'POST /todos HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\ntitle=z');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toContain('served POST');
    expect(await drained).toBe(true);
  });

  it('closes a keep-alive connection its peer leaves idle once the grace has passed', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise<void>((resolve) => {
      socket.once('data', () => resolve());
      socket.write('GET /todos/today HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const started = Date.now();
    expect(await connections.drain(20_000)).toBe(true);
    expect((await closed) - started).toBeGreaterThanOrEqual(IDLE_KEEP_ALIVE_GRACE_MS - 100);
  }, 20_000);

  it('ends a keep-alive connection whose answer, begun before the shutdown, finishes after the grace', async () => {
    const streaming = http.createServer();
    const streamingConnections = drainable(streaming);
    let finish = () => {};
    streaming.on('request', streamingConnections.serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first part\n');
      finish = () => res.end('last part\n');
    }));
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve));
    try {
      const socket = net.connect((streaming.address() as net.AddressInfo).port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const answer = answerOn(socket, 'GET /export HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((resolve) => socket.once('data', resolve));
      const drained = streamingConnections.drain(60_000);
      setTimeout(() => finish(), IDLE_KEEP_ALIVE_GRACE_MS + 500);
      // The drain's own timeout (60 s) would answer false: the connection must end with its answer.
      expect(await drained).toBe(true);
      expect(await answer).toContain('last part');
    } finally {
      streaming.closeAllConnections();
      streaming.close();
    }
  }, 30_000);
});
