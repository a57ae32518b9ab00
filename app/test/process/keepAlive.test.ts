import http from 'node:http';
import type net from 'node:net';
import express from 'express';
import { createAppServer } from '../../src/process/appServer';
import { loadConfig } from '../../src/config';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A GET through `agent`, answering with the local port of the connection it went over. */
function get(port: number, agent: http.Agent): Promise<{ status: number; localPort: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      const socket = res.socket as net.Socket;
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: socket.localPort ?? 0, socket }));
    });
    req.on('error', reject);
  });
}

describe('keep-alive connections to the app', () => {
  it('stay open longer than the load balancers in front keep theirs idle (the ALB: 60 s), by default', () => {
    const config = loadConfig({}, { readDotenv: false });
    expect(config.keepAliveTimeoutSeconds).toBeGreaterThan(60);
    const server = createAppServer(express(), config);
    expect(server.keepAliveTimeout).toBe(config.keepAliveTimeoutSeconds * 1000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });

  it('serve a client that reuses its connection after idling under KEEP_ALIVE_TIMEOUT_SECONDS, and close it after', async () => {
    const config = loadConfig({ KEEP_ALIVE_TIMEOUT_SECONDS: '4' }, { readDotenv: false });
    const app = express().get('/', (_req, res) => res.send('ok'));
    const server = createAppServer(app, config).on('request', app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    // A client that keeps its connection as long as the app lets it (a proxy's idle timeout, 60 s for the ALB, sits below).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(port, agent);
      let last = first;
      for (let reuse = 0; reuse < 3; reuse++) {
        await pause(1500);
        last = await get(port, agent);
        expect({ reuse, status: last.status, localPort: last.localPort }).toEqual({ reuse, status: 200, localPort: first.localPort });
      }
      const idleSince = Date.now();
      await new Promise<void>((resolve) => last.socket.once('close', () => resolve()));
      // The app closed it (the client would have kept it), once its keep-alive time had passed.
      expect(Date.now() - idleSince).toBeGreaterThanOrEqual(3900);
      expect((await get(port, agent)).status).toBe(200);
    } finally {
      agent.destroy();
      server.close();
    }
  }, 30_000);
});
