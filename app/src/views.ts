import fs from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import Handlebars from 'handlebars';
import { formatDay, formatUtcMinute } from './shared';
import { STATUS_LABELS, TodoStatus } from './todos';
import type { StaticAssets } from './staticFiles';

const EXTENSION = '.hbs';
const LAYOUT = 'main';

const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  statusLabel: (status: TodoStatus) => STATUS_LABELS[status] ?? status,
  formatDate: (value: Date | string | null | undefined) => (value ? formatDay(value) : ''),
  formatDateTime: (value: Date | null | undefined) => (value ? `${formatUtcMinute(value)} UTC` : ''),
};

type Template = Handlebars.TemplateDelegate;
type RenderCallback = (error: Error | null, html?: string) => void;

function templateFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(EXTENSION))
    .map((name) => path.join(dir, name));
}

/**
 * Handlebars views for Express: a view is rendered into layouts/main.hbs as `body`, with the
 * partials of partials/ named by their path there. With the view cache on (production) every
 * template is compiled once, at start, and a render is two template calls; with it off each
 * render reads the files again, so edits show at once.
 */
function handlebarsViews(viewsDir: string, viewHelpers: Handlebars.HelperDeclareSpec) {
  const handlebars = Handlebars.create();
  handlebars.registerHelper(viewHelpers);
  const partialsDir = path.join(viewsDir, 'partials');
  const layoutFile = path.join(viewsDir, 'layouts', `${LAYOUT}${EXTENSION}`);
  const compile = (file: string): Template => handlebars.compile(fs.readFileSync(file, 'utf8').trim());
  const registerPartials = () => {
    for (const file of templateFiles(partialsDir)) {
      const name = path.relative(partialsDir, file).slice(0, -EXTENSION.length).split(path.sep).join('/');
      handlebars.registerPartial(name, compile(file));
    }
  };
  const compiled = new Map<string, Template>();
  const precompile = () => {
    registerPartials();
    for (const file of templateFiles(viewsDir)) compiled.set(file, compile(file));
  };

  function render(file: string, options: object, callback: RenderCallback): void {
    let html: string;
    try {
      const context = options as Record<string, unknown>;
      const cached = context.cache === true;
      if (!cached) registerPartials();
      const view = (cached && compiled.get(file)) || compile(file);
      const layout = (cached && compiled.get(layoutFile)) || compile(layoutFile);
      html = layout({ ...context, body: view(context) });
    } catch (error) {
      return callback(error instanceof Error ? error : new Error(String(error)));
    }
    process.nextTick(callback, null, html);
  }

  return { render, precompile };
}

export function configureViews(app: Express, viewsDir: string, assets: StaticAssets): void {
  const views = handlebarsViews(viewsDir, { ...helpers, asset: (file: string) => assets.url(file) });
  if (app.enabled('view cache')) views.precompile();
  app.engine(EXTENSION.slice(1), views.render);
  app.set('view engine', EXTENSION.slice(1));
  app.set('views', viewsDir);
}
