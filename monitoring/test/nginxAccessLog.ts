import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The nginx configs that write the edge SLI's access log: the single server's and the compose one. */
export const NGINX_CONFIGS = ['infra/server/nginx/todobox.conf', 'infra/server/nginx/compose.conf'];

/** The `log_format todobox '...' '...';` of an nginx config, its quoted pieces joined. */
export function logFormat(file: string): string {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const statement = /^log_format todobox ([\s\S]*?);$/m.exec(text)?.[1];
  if (!statement) throw new Error(`${file} has no log_format todobox`);
  return [...statement.matchAll(/'([^']*)'/g)].map((match) => match[1]).join('');
}

/** One access-log line as nginx writes it with the shipped format. */
export function accessLine(format: string, status: number, requestTime: string): string {
  const values: Record<string, string> = {
    remote_addr: '203.0.113.7',
    remote_user: '-',
    time_local: '04/Dec/2026:19:00:00 +0000',
    request: 'GET /todos?q=%22quoted%22 HTTP/1.1',
    status: String(status),
    body_bytes_sent: '512',
    http_referer: 'https://todo.example.com/',
    http_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) \\"quoted\\"',
    todobox_request_id: 'b7c1e0f4a2',
    upstream_addr: status === 504 ? '10.0.1.12:9191' : '10.0.1.11:9191',
    upstream_status: String(status),
    request_time: requestTime,
    upstream_response_time: requestTime,
  };
  return format.replace(/\$(\w+)/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No sample value for $${name} of the log format`);
    return value;
  });
}

/** Status and $request_time of sample answers: the app's (200, 302, 404, 500) and nginx's own (502, 504). */
export const SAMPLE_ANSWERS: Array<[number, string]> = [
  [200, '0.012'],
  [200, '0.150'],
  [302, '0.030'],
  [404, '0.004'],
  [500, '0.020'],
  [502, '0.001'],
  [504, '60.000'],
];
