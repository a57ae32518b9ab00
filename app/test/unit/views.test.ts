import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { configureViews } from '../../src/views';
import type { StaticAssets } from '../../src/staticFiles';

const assets = { url: (file: string) => `/static/${file}` } as unknown as StaticAssets;

function viewsFolder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-views-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function appOn(dir: string, viewCache: boolean) {
  const app = express();
  app.set('view cache', viewCache);
  configureViews(app, dir, assets);
  return (view: string, locals: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) => app.render(view, locals, (error: Error | null, html: string) => (error ? reject(error) : resolve(html))));
}

const FILES = {
  'layouts/main.hbs': '<main>{{{body}}}</main><link href="{{asset "app.css"}}">\n',
  'partials/badge.hbs': '<b class="status-{{status}}">{{statusLabel status}}</b>',
  'partials/nested/row.hbs': '<li>{{title}}</li>',
  'todos/list.hbs': '{{#each items}}{{> nested/row}}{{> badge status=status}}{{/each}}{{#if (eq items.length 2)}}two{{/if}}\n',
};

describe('views', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('renders a view into the layout with partials, helpers and escaped values', async () => {
    const dir = viewsFolder(FILES);
    dirs.push(dir);
    const render = appOn(dir, true);
    const html = await render('todos/list', { items: [{ title: '<script>', status: 'done' }, { title: 'b & c', status: 'kiv' }] });
    expect(html).toBe(
      '<main><li>&lt;script&gt;</li><b class="status-done">Done</b><li>b &amp; c</li><b class="status-kiv">Kept in view</b>two</main><link href="/static/app.css">',
    );
  });

  it('compiles once with the view cache on, and reads edits at once with it off', async () => {
    const dir = viewsFolder(FILES);
    dirs.push(dir);
    const cached = appOn(dir, true);
    const fresh = appOn(dir, false);
    fs.writeFileSync(path.join(dir, 'todos/list.hbs'), 'edited {{> badge status="todo"}}');
    fs.writeFileSync(path.join(dir, 'partials/badge.hbs'), '<i>{{status}}</i>');
    expect(await cached('todos/list', { items: [] })).toBe('<main></main><link href="/static/app.css">');
    expect(await fresh('todos/list', { items: [] })).toBe('<main>edited <i>todo</i></main><link href="/static/app.css">');
  });

  it('passes a template error to the callback instead of throwing', async () => {
    const dir = viewsFolder({ ...FILES, 'todos/broken.hbs': '{{#each items}}unclosed' });
    dirs.push(dir);
    await expect(appOn(dir, false)('todos/broken', { items: [] })).rejects.toThrow(/Parse error|doesn't match/);
  });
});
