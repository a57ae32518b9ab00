import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BODY_LIMIT } from '../../../app/src/app';
import { loadConfig } from '../../../app/src/config';
import { FINGERPRINTED_CACHE_CONTROL, FINGERPRINTED_NAME, staticAssets } from '../../../app/src/staticFiles';
import { IDLE_KEEP_ALIVE_GRACE_MS } from '../../../app/src/process/gracefulServer';
import { freePort } from '../../../app/test/helpers/appProcess';
import { describeWithService } from '../../../app/test/helpers/requiredService';
import {
  NGINX_SITE,
  NginxSetup,
  RunningNginx,
  nginxAvailable,
  prepareNginx,
  requestThroughNginx,
  startNginx,
  testNginxConfig,
} from '../../../app/test/helpers/nginx';

const ROOT = path.resolve(__dirname, '../../..');
const site = fs.readFileSync(NGINX_SITE, 'utf8');
/** The app's body limit for forms and JSON (app/src/app.ts). */
const APP_BODY_LIMIT_BYTES = 256 * 1024;

interface SeenRequest {
  upstream: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** nginx's end of the connection the request came over. */
  fromPort: number;
}

/** An app server stand-in that records what nginx sent; `/unavailable` answers 503 on the "failing" one. */
function startRecordingUpstream(name: string, seen: SeenRequest[], failing = false): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ upstream: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, fromPort: req.socket.remotePort ?? 0 });
      const status = failing && req.url === '/unavailable' ? 503 : 200;
      res.writeHead(status, { 'content-type': 'text/plain', 'x-request-id': 'from-upstream' });
      res.end(`${name}\n`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: http.Server) => (server.address() as net.AddressInfo).port;

describe('the nginx site as shipped', () => {
  it('balances over several app servers, keeping its connections to them open for less time than a stopping app leaves them', () => {
    const upstream = /upstream todobox \{([^}]*)\}/.exec(site)?.[1] ?? '';
    expect(upstream.match(/^\s*server \S+:9191 /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(upstream).toMatch(/^\s*keepalive \d+;$/m);
    const idleSeconds = Number(/^\s*keepalive_timeout (\d+)s;$/m.exec(upstream)?.[1]);
    expect(idleSeconds * 1000).toBeLessThan(IDLE_KEEP_ALIVE_GRACE_MS);
    expect(idleSeconds).toBeLessThan(loadConfig({}, { readDotenv: false }).keepAliveTimeoutSeconds);
    // Without HTTP/1.1 and an empty Connection header nginx closes every upstream connection after one request.
    expect(site).toMatch(/^\s*proxy_http_version 1\.1;$/m);
    expect(site).toMatch(/^\s*proxy_set_header Connection "";$/m);
    expect(site).toMatch(/proxy_pass http:\/\/todobox;/);
  });

  it('sets the proxy headers, the guide’s gzip settings, the retry rules and the body limit', () => {
    for (const header of ['Host $host', 'X-Real-IP $remote_addr', 'X-Forwarded-For $remote_addr', 'X-Forwarded-Proto $scheme', 'X-Request-Id $todobox_request_id']) {
      expect(site).toContain(`proxy_set_header ${header};`);
    }
    expect(site).toMatch(/^\s*gzip on;$/m);
    const gzipTypes = /^\s*gzip_types ([^;]*);$/m.exec(site)?.[1].split(' ') ?? [];
    expect(gzipTypes).toEqual(expect.arrayContaining(['text/plain', 'text/css', 'text/javascript', 'application/json']));
    expect(site).toMatch(/^\s*gzip_min_length 1000;$/m);
    expect(site).toMatch(/^\s*proxy_next_upstream error timeout http_502 http_503;$/m);
    expect(site).not.toMatch(/^\s*proxy_next_upstream [^;]*non_idempotent/m);
    expect(site).toMatch(/^\s*client_max_body_size 256k;$/m);
    // The app reads forms and JSON up to the same size nginx lets through.
    expect(BODY_LIMIT).toBe('256kb');
  });

  it('serves TLS from certbot’s paths and redirects port 80 to HTTPS', () => {
    expect(site).toMatch(/^\s*listen 443 ssl http2;$/m);
    expect(site).toContain('ssl_certificate /etc/letsencrypt/live/yourdomain.com/fullchain.pem;');
    expect(site).toContain('ssl_certificate_key /etc/letsencrypt/live/yourdomain.com/privkey.pem;');
    const plainServer = /server \{\s*listen 80;[^}]*\}/.exec(site)?.[0] ?? '';
    expect(plainServer).toContain('return 301 https://$host$request_uri;');
    expect(site).toMatch(/location \/static\/ \{\s*alias \/var\/www\/todobox\/app\/dist\/public\/;/);
  });

  it('knows a fingerprinted name by the very pattern the app names files with', () => {
    const yearLong = /^\s*"~\^\/static\/\.\+(\S+)" "public, max-age=31536000, immutable";$/m.exec(site)?.[1];
    expect(yearLong).toBe(FINGERPRINTED_NAME.source);
  });
});

describeWithService('nginx (apt package nginx)', nginxAvailable(), 'the nginx site under nginx -t and in use', () => {
  const seen: SeenRequest[] = [];
  const upstreams: http.Server[] = [];
  let setup: NginxSetup;
  let nginx: RunningNginx | undefined;

  beforeAll(async () => {
    upstreams.push(await startRecordingUpstream('healthy', seen), await startRecordingUpstream('failing', seen, true));
    const closedPort = await freePort();
    setup = prepareNginx([...upstreams.map(portOf), closedPort], await freePort(), await freePort());
    nginx = await startNginx(setup);
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(upstreams.map((server) => new Promise((resolve) => server.close(resolve))));
    if (setup) fs.rmSync(setup.dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('passes nginx -t inside a minimal nginx.conf', () => {
    const result = testNginxConfig(setup.confPath, setup.dir);
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
  });

  it('passes nginx -t inside Debian’s own nginx.conf, included from sites-enabled', () => {
    const debian = fs.readFileSync('/etc/nginx/nginx.conf', 'utf8');
    expect(debian).toContain('include /etc/nginx/sites-enabled/*;');
    const confPath = path.join(setup.dir, 'debian-nginx.conf');
    fs.writeFileSync(confPath, debian.replace('include /etc/nginx/sites-enabled/*;', `include ${path.join(setup.dir, 'todobox.conf')};`));
    const result = testNginxConfig(confPath, setup.dir);
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
  });

  it('sends consecutive requests to an app server over one kept connection', async () => {
    for (let i = 0; i < 8; i++) await requestThroughNginx(setup, { path: `/kept-${i}` });
    const portsByUpstream = new Map<string, Set<number>>();
    for (const request of seen) portsByUpstream.set(request.upstream, (portsByUpstream.get(request.upstream) ?? new Set()).add(request.fromPort));
    const requestsPerConnection = seen.length / [...portsByUpstream.values()].reduce((sum, ports) => sum + ports.size, 0);
    expect(requestsPerConnection).toBeGreaterThan(1);
  });

  it('forwards the proxy headers and keeps or creates the request id', async () => {
    const sent = await requestThroughNginx(setup, {
      path: '/anything',
      headers: { 'x-request-id': 'client-chosen-1', 'x-forwarded-for': '203.0.113.9', host: 'yourdomain.com' },
    });
    expect(sent.status).toBe(200);
    expect(sent.headers['x-request-id']).toBe('client-chosen-1');
    const forwarded = seen.at(-1)!.headers;
    expect(forwarded).toMatchObject({
      host: 'yourdomain.com',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-request-id': 'client-chosen-1',
    });
    expect(forwarded.connection).toBeUndefined();

    const generated = await requestThroughNginx(setup, { path: '/anything', headers: { 'x-request-id': 'not acceptable!' } });
    const id = seen.at(-1)!.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(generated.headers['x-request-id']).toBe(id);
  });

  it('never repeats a POST an app server received, and retries GET on another when one refuses or answers 503', async () => {
    const posts = await Promise.all(Array.from({ length: 12 }, () => requestThroughNginx(setup, { method: 'POST', path: '/unavailable', body: 'x=1' })));
    const postStatuses = posts.map((response) => response.status);
    expect(postStatuses).toContain(503);
    expect(postStatuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(seen).toHaveLength(12);

    // A reload starts workers with no memory of failed servers, so the failing one is tried again.
    process.kill(nginx!.child.pid!, 'SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    seen.length = 0;
    const gets = await Promise.all(Array.from({ length: 12 }, () => requestThroughNginx(setup, { path: '/unavailable' })));
    expect(gets.map((response) => response.status)).toEqual(Array(12).fill(200));
    expect(seen.filter((request) => request.upstream === 'failing').length).toBeGreaterThan(0);
  });

  it('serves from disk the fingerprinted names the app links, for a year, bare names for an hour, and a missing name uncached', async () => {
    const linked = staticAssets(path.join(ROOT, 'app/public'), { fallbackMaxAge: 0, rereadFiles: false }).url('css/app.css');
    expect(linked).toMatch(/^\/static\/css\/app\.[0-9a-f]{16}\.css$/);
    const css = await requestThroughNginx(setup, { path: linked, headers: { 'accept-encoding': 'gzip' } });
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(css.headers['cache-control']).toBe(FINGERPRINTED_CACHE_CONTROL);
    expect(gunzipSync(css.body).toString()).toBe(fs.readFileSync(path.join(ROOT, 'app/public/css/app.css'), 'utf8'));

    const bare = await requestThroughNginx(setup, { path: '/static/css/app.css' });
    expect([bare.status, bare.headers['cache-control']]).toEqual([200, 'max-age=3600']);
    // Another release's name is not today's file under a year-long promise.
    for (const missing of ['/static/css/app.0123456789abcdef.css', '/static/nope.css']) {
      const response = await requestThroughNginx(setup, { path: missing });
      // A 404 kept for a year would hide the file from a browser after the release that adds it.
      expect([missing, response.status, response.headers['cache-control']]).toEqual([missing, 404, undefined]);
    }
    expect(seen).toHaveLength(0);
  });

  it('refuses bodies over the app’s limit before they reach an app server', async () => {
    const atLimit = await requestThroughNginx(setup, { method: 'POST', path: '/form', body: 'a'.repeat(APP_BODY_LIMIT_BYTES) });
    expect(atLimit.status).toBe(200);
    const over = await requestThroughNginx(setup, { method: 'POST', path: '/form', body: 'a'.repeat(APP_BODY_LIMIT_BYTES + 1) });
    expect(over.status).toBe(413);
    expect(seen).toHaveLength(1);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: setup.httpPort, path: '/todos/today?q=a', headers: { host: 'yourdomain.com' } }, resolve).on('error', reject);
    });
    response.resume();
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('https://yourdomain.com/todos/today?q=a');
  });
});
