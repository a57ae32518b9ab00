import type { DatabaseCredentials } from '../../config';

/** What `todobox db:bootstrap` makes sure of: the app's database, its own user, and optionally the exporter's. */
export interface BootstrapPlan {
  database: string;
  app: DatabaseCredentials;
  exporter?: DatabaseCredentials;
  /** The app talks TLS to the server, so its user may connect over TLS only (on PostgreSQL, the server's to enforce). */
  requireTls: boolean;
}

/** One line per thing made sure of, for the operator; never a password. */
export type BootstrapReport = string[];
