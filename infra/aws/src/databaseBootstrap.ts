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

/**
 * Runs `todobox db:bootstrap` as the app's user with the master credentials in its environment only: they are
 * never written to a file, and the script never traces its commands (no set -x). The app's DB_USER and DB_PW
 * and the exporter's DB_EXPORTER_USER and DB_EXPORTER_PASSWORD come from the environment file, through the unit.
 */
export function databaseBootstrapScript(inputs: DatabaseBootstrapInputs): string {
  return [
    '#!/bin/bash',
    '# Creates or updates the database users of the app and the exporter; runs before every start of todobox.service.',
    'set -euo pipefail',
    `master=$(/snap/bin/aws secretsmanager get-secret-value --region ${inputs.region} --secret-id '${inputs.masterSecretArn}' \\`,
    '  --query SecretString --output text)',
    `field() { printf '%s' "$master" | /usr/bin/node -e '${JSON_FIELD}' "$1"; }`,
    'DB_ADMIN_USER=$(field username)',
    'DB_ADMIN_PASSWORD=$(field password)',
    'export DB_ADMIN_USER DB_ADMIN_PASSWORD',
    `cd ${APP_DIRECTORY}`,
    'exec setpriv --reuid=todobox --regid=todobox --init-groups /usr/bin/node bin/todobox.js db:bootstrap',
  ].join('\n');
}

/**
 * Root reads the master secret (the AWS CLI snap wants a writable home, which the service user lacks); the command
 * runs as todobox, so a log file it starts under LOG_DIR stays the app's.
 */
export const DATABASE_BOOTSTRAP_UNIT = `[Unit]
Description=Create or update the TodoBox database users (todobox db:bootstrap)
Requires=todobox-env.service
After=todobox-env.service

[Service]
Type=oneshot
EnvironmentFile=${ENV_FILE}
ExecStart=${DB_BOOTSTRAP_SCRIPT}
Restart=on-failure
RestartSec=10s
`;
