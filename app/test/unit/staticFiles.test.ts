import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { FINGERPRINTED_CACHE_CONTROL, FINGERPRINTED_NAME, fingerprintFiles, staticAssets, writeFingerprintedCopy } from '../../src/staticFiles';

const ROOT = path.resolve(__dirname, '../../..');
const PUBLIC_DIR = path.join(ROOT, 'app/public');

describe('fingerprinted static files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-static-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names each file by its content, so a changed file gets a new name and an unchanged one keeps its own', () => {
    const source = path.join(dir, 'public');
    fs.mkdirSync(path.join(source, 'css'), { recursive: true });
    fs.writeFileSync(path.join(source, 'css/app.css'), 'body { color: red }');
    fs.writeFileSync(path.join(source, 'LICENSE'), 'text');
    const before = fingerprintFiles(source);
    expect(before.get('css/app.css')?.name).toMatch(/^css\/app\.[0-9a-f]{16}\.css$/);
    expect(before.get('LICENSE')?.name).toMatch(FINGERPRINTED_NAME);
    fs.writeFileSync(path.join(source, 'css/app.css'), 'body { color: blue }');
    const after = fingerprintFiles(source);
    expect(after.get('css/app.css')?.name).not.toBe(before.get('css/app.css')?.name);
    expect(after.get('LICENSE')?.name).toBe(before.get('LICENSE')?.name);
  });

  function servedFrom(options: { rereadFiles: boolean }) {
    const source = path.join(dir, 'public');
    fs.mkdirSync(path.join(source, 'css'), { recursive: true });
    fs.writeFileSync(path.join(source, 'css/app.css'), 'body { color: red }');
    const assets = staticAssets(source, { fallbackMaxAge: 0, ...options });
    const app = express().use('/static', assets.serve);
    const edit = (css: string) => fs.writeFileSync(path.join(source, 'css/app.css'), css);
    return { assets, app, edit };
  }

  it('answers a fingerprinted name with the bytes it was made from, even once the file on disk has changed', async () => {
    const { assets, app, edit } = servedFrom({ rereadFiles: false });
    const linked = assets.url('css/app.css');
    edit('body { color: green }');
    const served = await request(app).get(linked);
    expect([served.status, served.text, served.headers['cache-control']]).toEqual([200, 'body { color: red }', FINGERPRINTED_CACHE_CONTROL]);
    expect(served.headers['content-type']).toMatch(/^text\/css/);
    expect((await request(app).get(linked).set('If-None-Match', served.headers.etag)).status).toBe(304);
    expect((await request(app).get('/static/css/app.css')).text).toBe('body { color: green }');
    expect(assets.url('css/app.css')).toBe(linked);
  });

  it('links an edited file by its new name at once when told to read the files again (development)', async () => {
    const { assets, app, edit } = servedFrom({ rereadFiles: true });
    const before = assets.url('css/app.css');
    edit('body { color: green }');
    const after = assets.url('css/app.css');
    expect(after).not.toBe(before);
    expect((await request(app).get(after)).text).toBe('body { color: green }');
    const stale = await request(app).get(before);
    expect([stale.status, stale.headers['cache-control'], stale.text]).toEqual([200, 'no-cache', 'body { color: green }']);
  });

  it('writes, as the build does, every file under its own and its fingerprinted name, keeping earlier builds', () => {
    const out = path.join(dir, 'dist-public');
    fs.mkdirSync(path.join(out, 'css'), { recursive: true });
    fs.writeFileSync(path.join(out, 'css/app.00000000000000aa.css'), 'an earlier release');
    writeFingerprintedCopy(PUBLIC_DIR, out);
    for (const [original, { name: fingerprinted }] of fingerprintFiles(PUBLIC_DIR)) {
      const content = fs.readFileSync(path.join(PUBLIC_DIR, original));
      expect(fs.readFileSync(path.join(out, fingerprinted)).equals(content)).toBe(true);
      expect(fs.readFileSync(path.join(out, original)).equals(content)).toBe(true);
    }
    expect(fs.existsSync(path.join(out, 'css/app.00000000000000aa.css'))).toBe(true);
  });

  it('is part of `npm run build` and of the image build', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.build).toMatch(/^tsc -b tsconfig\.json && node app\/dist\/staticFiles\/build\.js$/);
    expect(fs.existsSync(path.join(ROOT, 'app/src/staticFiles/build.ts'))).toBe(true);
    const buildStage = /FROM toolchain AS build\n([\s\S]*?)\nFROM /.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '';
    expect(buildStage).toMatch(/COPY app\/public \.\/app\/public\n(?:.*\n)*RUN npm run build/);
  });
});
