import path from 'node:path';
import type { Express } from 'express';
import { engine } from 'express-handlebars';
import { formatUtcMinute } from './shared/format';
import { STATUS_LABELS, TodoStatus } from './todos/statuses';

const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  statusLabel: (status: TodoStatus) => STATUS_LABELS[status] ?? status,
  formatDate: (value: Date | string | null | undefined) => {
    if (!value) return '';
    const date = typeof value === 'string' ? new Date(`${value}T00:00:00`) : value;
    return date.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  },
  formatDateTime: (value: Date | null | undefined) => (value ? `${formatUtcMinute(value)} UTC` : ''),
};

export function configureViews(app: Express, viewsDir: string): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(viewsDir, 'layouts'),
      partialsDir: path.join(viewsDir, 'partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);
}
