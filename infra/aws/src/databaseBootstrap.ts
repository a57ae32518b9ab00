import type { DatabaseBootstrap } from './config';
import { APP_DIRECTORY, ENV_FILE } from './serverPaths';
import { stdinJsonProgram } from './stdinJson';

export const DB_BOOTSTRAP_SCRIPT = '/usr/local/sbin/todobox-db-bootstrap';
export const DB_BOOTSTRAP_UNIT = 'todobox-db-bootstrap.service';

export interface DatabaseBootstrapInputs {
  region: string;
  /** The secret RDS keeps the master user's credentials in (JSON with username and password). */
  masterSecretArn: string;
}

/** Prints the field of the JSON object on standard input that its first argument names. */
const JSON_FIELD = stdinJsonProgram('process.stdout.write(String(json[process.argv[1]]))');

/** Where the master credentials come from: the server's own read of the secret, or an operator pasting it. */
function masterSecretLines(mode: DatabaseBootstrap, inputs: DatabaseBootstrapInputs): string[] {
  if (mode === 'instances') {
    return [
      `master=$(/snap/bin/aws secretsmanager get-secret-value --region ${inputs.region} --secret-id '${inputs.masterSecretArn}' \\`,
      '  --query SecretString --output text)',
    ];
  }
  return [
    // The instance role may not read the master secret: the operator fetches it under their own identity.
    '[ -t 0 ] && echo "Paste the master secret (get-secret-value --query SecretString --output text), then Enter:" >&2',
    'master=',
    'IFS= read -rs master || [ -n "$master" ]',
  ];
}

/**
 * Runs `todobox db:bootstrap` as the app's user with the master credentials in its environment only: they are
 * never written to a file, and the script never traces its commands (no set -x). The app's DB_USER and DB_PW
 * and the exporter's DB_EXPORTER_USER and DB_EXPORTER_PASSWORD come from the environment file, read here so the
 * same script serves the boot-time unit and an operator's sudo. Root runs it: the AWS CLI snap wants a
 * writable home, which the service user lacks, and the environment file is root's.
 */
export function databaseBootstrapScript(mode: DatabaseBootstrap, inputs: DatabaseBootstrapInputs): string {
  const purpose = mode === 'instances' ? 'runs once per boot, before todobox.service' : 'run once by an operator: sudo todobox-db-bootstrap';
  return [
    '#!/bin/bash',
    `# Creates or updates the database users of the app and the exporter; ${purpose}.`,
    'set -euo pipefail',
    `while IFS= read -r line; do export "$line"; done < ${ENV_FILE}`,
    ...masterSecretLines(mode, inputs),
    `field() { printf '%s' "$master" | /usr/bin/node -e '${JSON_FIELD}' "$1"; }`,
    'DB_ADMIN_USER=$(field username)',
    'DB_ADMIN_PASSWORD=$(field password)',
    'export DB_ADMIN_USER DB_ADMIN_PASSWORD',
    `cd ${APP_DIRECTORY}`,
    'exec setpriv --reuid=todobox --regid=todobox --init-groups /usr/bin/node bin/todobox.js db:bootstrap',
  ].join('\n');
}

/**
 * With databaseBootstrap "instances": once per boot (RemainAfterExit keeps it active, so a restart of the app
 * does not run it again). todobox.service only wants it: when it fails, the app still starts on the users an
 * earlier server created, and it tries again.
 */
export const DATABASE_BOOTSTRAP_UNIT = `[Unit]
Description=Create or update the TodoBox database users (todobox db:bootstrap)
Requires=todobox-env.service
After=todobox-env.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${DB_BOOTSTRAP_SCRIPT}
Restart=on-failure
RestartSec=10s
`;
