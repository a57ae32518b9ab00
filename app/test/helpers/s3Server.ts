import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A real S3 API server (s3rver) on a free loopback port, its objects in a temporary folder of its own. */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** Credentials this server accepts: made for this run, so output can be searched for them. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Every request the server received, as it arrived. */
  requests: RecordedRequest[];
  /** The environment that points `todobox` at this server. */
  env: Record<string, string>;
  /** Keys of every object in the bucket under `prefix`. */
  keys(prefix?: string): Promise<string[]>;
  client(): S3Client;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-s3rver-'));
  const bucket = `todobox-${crypto.randomBytes(4).toString('hex')}`;
  const accessKeyId = `AKIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = `s3-secret-${crypto.randomBytes(12).toString('hex')}`;
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }], vhostBuckets: false });
  const { port } = await server.run();
  const requests: RecordedRequest[] = [];
  server.httpServer.prependListener('request', (request) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = () =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    requests,
    env: {
      BACKUP_S3_ENDPOINT: endpoint,
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    async keys(prefix = '') {
      const s3 = client();
      try {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
        return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
      } finally {
        s3.destroy();
      }
    },
    client,
    async stop() {
      await server.close();
      DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A loopback server that accepts connections and never answers, as a hung store does. */
export async function silentServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
