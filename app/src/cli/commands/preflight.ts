import path from 'node:path';
import type { Command } from 'commander';
import { renderMarkdown } from '../../todos';
import { CliError } from '../cliError';
import { withContext } from '../context';
import type { CliIo } from '../io';
import { formatPreflightReport, preflightFailed, runPreflight } from '../preflight';
import { npmAudit } from '../preflight/audit';

export function registerPreflightCommand(program: Command, io: CliIo): void {
  program
    .command('preflight')
    .description("check the deployment guide's Pre-Deployment Checklist; exits 1 when a check fails")
    .action(() =>
      withContext(io, { enforceProductionSecrets: false }, async ({ config, db, services }) => {
        const results = await runPreflight(config, {
          db,
          services,
          renderMarkdown,
          auditDependencies: () => npmAudit(),
          envFile: io.readDotenv ? path.resolve('.env') : undefined,
        });
        io.out(formatPreflightReport(results));
        if (preflightFailed(results)) throw new CliError('Preflight failed: fix every FAIL above before deploying.');
      }),
    );
}
