import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { SECRET_MINIMUM_LENGTHS } from '../../../app/src/environment';

/** Every credential of the deployment, generated once per stack and kept encrypted in its state. */
export interface StackSecrets {
  secretKey: pulumi.Output<string>;
  salt: pulumi.Output<string>;
  metricsToken: pulumi.Output<string>;
  dbPassword: pulumi.Output<string>;
  mysqlRootPassword: pulumi.Output<string>;
  mysqldExporterPassword: pulumi.Output<string>;
  grafanaAdminPassword: pulumi.Output<string>;
}

/** Letters and digits only: the values go into SQL, URLs and env lines without quoting. */
function generated(name: string, length: number): pulumi.Output<string> {
  return pulumi.secret(new random.RandomPassword(name, { length, special: false }).result);
}

export function createSecrets(): StackSecrets {
  return {
    // Twice the app's minimum length of each.
    secretKey: generated('secret-key', 2 * SECRET_MINIMUM_LENGTHS.SECRET_KEY),
    salt: generated('salt', 2 * SECRET_MINIMUM_LENGTHS.SALT),
    metricsToken: generated('metrics-token', 2 * SECRET_MINIMUM_LENGTHS.METRICS_TOKEN),
    dbPassword: generated('db-password', 32),
    mysqlRootPassword: generated('mysql-root-password', 32),
    mysqldExporterPassword: generated('mysqld-exporter-password', 32),
    grafanaAdminPassword: generated('grafana-admin-password', 24),
  };
}
