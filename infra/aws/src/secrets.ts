import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { StackConfig } from './config';
import { SECRET_MINIMUM_LENGTHS, type EnvironmentKey } from '../../../app/src/environment';
import type { Naming } from './naming';

export interface GeneratedSecrets {
  secretKey: pulumi.Output<string>;
  salt: pulumi.Output<string>;
  dbAppPassword: pulumi.Output<string>;
  dbExporterPassword: pulumi.Output<string>;
  redisAuthToken: pulumi.Output<string>;
  metricsToken: pulumi.Output<string>;
}

/**
 * Letters and digits only: RDS refuses '/', '@', '"' and spaces in passwords, ElastiCache refuses several
 * symbols in auth tokens, and the values go into URLs and an environment file. Length provides the strength.
 */
export function generated(name: string, length: number): pulumi.Output<string> {
  return pulumi.secret(new random.RandomPassword(name, { length, special: false, minLower: 1, minUpper: 1, minNumeric: 1 }).result);
}

/** The app's secrets, generated once and kept in the stack's encrypted state, each twice the app's minimum length. */
export function generateSecrets(naming: Naming): GeneratedSecrets {
  return {
    secretKey: generated(naming.name('secret-key'), 2 * SECRET_MINIMUM_LENGTHS.SECRET_KEY),
    salt: generated(naming.name('salt'), 2 * SECRET_MINIMUM_LENGTHS.SALT),
    dbAppPassword: generated(naming.name('db-app-password'), 32),
    dbExporterPassword: generated(naming.name('db-exporter-password'), 32),
    redisAuthToken: generated(naming.name('redis-auth-token'), 32),
    metricsToken: generated(naming.name('metrics-token'), 2 * SECRET_MINIMUM_LENGTHS.METRICS_TOKEN),
  };
}

/** The one Secrets Manager secret the app servers may read; its JSON keys are the app's environment names. */
export function createAppSecret(config: StackConfig, naming: Naming): aws.secretsmanager.Secret {
  return new aws.secretsmanager.Secret(naming.name('app-env'), {
    namePrefix: `todobox/${config.stack}/app-env-`,
    description: 'TodoBox environment (/etc/todobox/todobox.env on each app server)',
    recoveryWindowInDays: config.isProduction ? 30 : 7,
    tags: naming.tags('app-env'),
  });
}

/** The app's settings, and BACKUP_S3_URL, where `todobox backup` copies each backup off the server. */
export type ServerEnvironmentKey = EnvironmentKey | 'BACKUP_S3_URL';

export function storeAppEnvironment(
  secret: aws.secretsmanager.Secret,
  environment: Partial<Record<ServerEnvironmentKey, pulumi.Input<string>>>,
  naming: Naming,
): aws.secretsmanager.SecretVersion {
  return new aws.secretsmanager.SecretVersion(naming.name('app-env-version'), {
    secretId: secret.id,
    secretString: pulumi.secret(pulumi.jsonStringify(pulumi.output(environment))),
  });
}
