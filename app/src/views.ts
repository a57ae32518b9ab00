import path from 'node:path';
import type { Express } from 'express';
import { engine } from 'express-handlebars';
import { formatDay, formatUtcMinute } from './shared/format';
import { STATUS_LABELS, TodoStatus } from './todos/statuses';
import type { StaticAssets } from './staticAssets';

const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  statusLabel: (status: TodoStatus) => STATUS_LABELS[status] ?? status,
  formatDate: (value: Date | string | null | undefined) => (value ? formatDay(value) : ''),
  formatDateTime: (value: Date | null | undefined) => (value ? `${formatUtcMinute(value)} UTC` : ''),
};

export function configureViews(app: Express, viewsDir: string, assets: StaticAssets): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(viewsDir, 'layouts'),
      partialsDir: path.join(viewsDir, 'partials'),
      helpers: { ...helpers, asset: (file: string) => assets.url(file) },
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);
}
