import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeFingerprintedCopy } from '../../src/staticFiles';

const ROOT = path.resolve(__dirname, '../../..');
export const NGINX_SITE = path.join(ROOT, 'infra/server/nginx/todobox.conf');
/** The folder the site's `alias` and other paths name on a server. */
const DEPLOYED_ROOT = '/var/www/todobox/';
const CERTBOT_LIVE_DIR = '/etc/letsencrypt/live/yourdomain.com/';
const NGINX_LOG_DIR = '/var/log/nginx/';

export function nginxAvailable(): boolean {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
}

export interface SiteOptions {
  upstreamPorts: number[];
  httpPort: number;
  httpsPort: number;
  /** Holds fullchain.pem and privkey.pem. */
  certDir: string;
  logDir: string;
  /** Stands for /var/www/todobox/: holds app/dist/public, readable by nginx's unprivileged workers. */
  deployedRoot: string;
}

function replaceRequired(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`The nginx site no longer contains ${pattern}; update the renderer with it`);
  return text.replace(pattern, replacement);
}

/**
 * The deployed site with this machine's values: the app servers on loopback ports, loopback listen
 * ports, `deployedRoot` instead of /var/www/todobox, a test certificate, and a private log folder.
 * Everything else (headers, timeouts, retries, compression) stays exactly as shipped.
 */
export function renderSite(site: string, options: SiteOptions): string {
  const upstream = /(upstream todobox \{\n)((?:[^}]*\n)*?)(\})/;
  const block = upstream.exec(site);
  if (!block) throw new Error('The nginx site has no "upstream todobox" block');
  const serverLine = /^(\s*)server \S+:9191( [^;]*)?;$/m.exec(block[2]);
  if (!serverLine) throw new Error('The upstream has no "server <address>:9191 ...;" line');
  const [, indent, parameters = ''] = serverLine;
  const servers = options.upstreamPorts.map((port) => `${indent}server 127.0.0.1:${port}${parameters};\n`).join('');
  let text = site.replace(upstream, (_match, open: string, body: string, close: string) =>
    open + body.replace(/^\s*server [^\n]*\n/gm, '') + servers + close,
  );
  text = replaceRequired(text, /^\s*listen \[::\]:80;\n/m, '');
  text = replaceRequired(text, /^\s*listen \[::\]:443 ssl http2;\n/m, '');
  text = replaceRequired(text, /listen 80;/, `listen 127.0.0.1:${options.httpPort};`);
  text = replaceRequired(text, /listen 443 ssl http2;/, `listen 127.0.0.1:${options.httpsPort} ssl http2;`);
  text = replaceRequired(text, new RegExp(DEPLOYED_ROOT, 'g'), `${options.deployedRoot.replace(/\/$/, '')}/`);
  text = replaceRequired(text, new RegExp(CERTBOT_LIVE_DIR, 'g'), `${options.certDir}/`);
  text = replaceRequired(text, new RegExp(NGINX_LOG_DIR, 'g'), `${options.logDir}/`);
  return text;
}

/** A self-signed certificate for 127.0.0.1/localhost, named as certbot names its files. */
export function writeTestCertificate(dir: string): void {
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'privkey.pem'), '-out', path.join(dir, 'fullchain.pem')],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl could not make a test certificate: ${result.stderr}`);
}

/** nginx.conf around the site, as Debian's includes sites-enabled/* in its http block, with private temp folders. */
export function writeMainConfig(dir: string, sitePath: string): string {
  const temp = (name: string) => path.join(dir, name);
  const conf = `worker_processes 1;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};
    include ${sitePath};
}
`;
  const confPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(confPath, conf);
  return confPath;
}

export interface NginxSetup {
  dir: string;
  confPath: string;
  accessLog: string;
  httpPort: number;
  httpsPort: number;
}

/**
 * A copy of the files the site serves itself, as a deployment puts them under /var/www/todobox. The
 * checkout cannot be served in place: a clone under a folder of mode 0700 (what `mktemp -d` makes) is
 * unreadable to nginx's unprivileged workers, whatever the modes of the files inside it.
 */
function deployStaticFiles(dir: string): string {
  const deployedRoot = path.join(dir, 'www');
  // What `npm run build` writes to app/dist/public.
  writeFingerprintedCopy(path.join(ROOT, 'app/public'), path.join(deployedRoot, 'app/dist/public'));
  for (const folder of [deployedRoot, path.join(deployedRoot, 'app'), path.join(deployedRoot, 'app/dist')]) fs.chmodSync(folder, 0o755);
  return deployedRoot;
}

/** Renders the site into a fresh folder (0755, so nginx's unprivileged workers can use it). */
export function prepareNginx(upstreamPorts: number[], httpPort: number, httpsPort: number): NginxSetup {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-nginx-'));
  fs.chmodSync(dir, 0o755);
  writeTestCertificate(dir);
  const site = renderSite(fs.readFileSync(NGINX_SITE, 'utf8'), {
    upstreamPorts,
    httpPort,
    httpsPort,
    certDir: dir,
    logDir: dir,
    deployedRoot: deployStaticFiles(dir),
  });
  const sitePath = path.join(dir, 'todobox.conf');
  fs.writeFileSync(sitePath, site);
  return { dir, confPath: writeMainConfig(dir, sitePath), accessLog: path.join(dir, 'todobox.access.log'), httpPort, httpsPort };
}

/** `nginx -t` on a configuration; returns nginx's report. */
export function testNginxConfig(confPath: string, prefix: string): { ok: boolean; output: string } {
  const result = spawnSync('nginx', ['-t', '-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', confPath], { encoding: 'utf8', timeout: 20_000 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RunningNginx {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs nginx in the foreground on a prepared configuration until `stop()`. */
export async function startNginx(setup: NginxSetup, timeoutMs = 10_000): Promise<RunningNginx> {
  const errorLog = path.join(setup.dir, 'error.log');
  const child = spawn(
    'nginx',
    ['-p', setup.dir, '-e', errorLog, '-c', setup.confPath, '-g', `daemon off; pid ${path.join(setup.dir, 'nginx.pid')}; error_log ${errorLog};`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!(await portAccepts(setup.httpsPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '';
      throw new Error(`nginx did not start: ${stderr}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT');
        const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(forced);
      }
    },
  };
}

export interface ProxiedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTPS request to nginx, trusting the test certificate; rejects only on a network error. */
export function requestThroughNginx(
  setup: NginxSetup,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; agent?: https.Agent; timeoutMs?: number },
): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: setup.httpsPort,
        servername: 'localhost',
        ca: fs.readFileSync(path.join(setup.dir, 'fullchain.pem')),
        method: options.method ?? 'GET',
        path: options.path,
        headers: { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}
