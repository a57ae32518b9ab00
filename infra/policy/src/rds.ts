import * as aws from '@pulumi/aws';
import { ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';
import { isProduction, productionConfigSchema } from './production';

export const MINIMUM_BACKUP_RETENTION_DAYS = 7;

export const rdsStorageEncrypted: ResourceValidationPolicy = {
  name: 'rds-storage-encrypted',
  description: 'RDS instances and clusters encrypt their storage, and with it their snapshots and backups.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Database Review', 'Check database permissions'),
  remediationSteps: 'Set storageEncrypted: true (a new instance is created; restore it from a snapshot).',
  validateResource: [
    validateResourceOfType(aws.rds.Instance, (instance, _args, reportViolation) => {
      if (instance.storageEncrypted !== true) {
        reportViolation('The RDS instance must set storageEncrypted: true.');
      }
    }),
    validateResourceOfType(aws.rds.Cluster, (cluster, _args, reportViolation) => {
      if (cluster.storageEncrypted !== true) {
        reportViolation('The RDS cluster must set storageEncrypted: true.');
      }
    }),
  ],
};

export const rdsNotPublic: ResourceValidationPolicy = {
  name: 'rds-not-public',
  description: 'RDS instances are not publicly accessible; only the app servers reach them inside the VPC.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  framework: guideItem('Security Review', 'Review database user permissions'),
  remediationSteps: 'Set publiclyAccessible: false and place the database in private subnets.',
  validateResource: [
    validateResourceOfType(aws.rds.Instance, (instance, _args, reportViolation) => {
      if (instance.publiclyAccessible === true) {
        reportViolation('The RDS instance must not be publicly accessible.');
      }
    }),
    validateResourceOfType(aws.rds.ClusterInstance, (instance, _args, reportViolation) => {
      if (instance.publiclyAccessible === true) {
        reportViolation('The RDS cluster instance must not be publicly accessible.');
      }
    }),
  ],
};

function reportShortRetention(days: number | undefined, what: string, reportViolation: (message: string) => void): void {
  if (days === undefined || days < MINIMUM_BACKUP_RETENTION_DAYS) {
    reportViolation(
      `The ${what} must keep automated backups for at least ${MINIMUM_BACKUP_RETENTION_DAYS} days ` +
        `(backupRetentionPeriod is ${days ?? 'not set'}).`,
    );
  }
}

/** A read replica is restored from its source, whose own backups this policy already checks. */
function isReadReplica(instance: { replicateSourceDb?: string }): boolean {
  return instance.replicateSourceDb !== undefined && instance.replicateSourceDb !== '';
}

export const rdsBackupRetention: ResourceValidationPolicy = {
  name: 'rds-backup-retention',
  description: `RDS instances and clusters keep automated backups for at least ${MINIMUM_BACKUP_RETENTION_DAYS} days.`,
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Database Review', 'Verify database backups configured'),
  remediationSteps: `Set backupRetentionPeriod to ${MINIMUM_BACKUP_RETENTION_DAYS} or more.`,
  validateResource: [
    validateResourceOfType(aws.rds.Instance, (instance, _args, reportViolation) => {
      if (!isReadReplica(instance)) {
        reportShortRetention(instance.backupRetentionPeriod, 'RDS instance', reportViolation);
      }
    }),
    validateResourceOfType(aws.rds.Cluster, (cluster, _args, reportViolation) => {
      reportShortRetention(cluster.backupRetentionPeriod, 'RDS cluster', reportViolation);
    }),
  ],
};

interface RemovalSettings {
  deletionProtection?: boolean;
  skipFinalSnapshot?: boolean;
  tags?: Record<string, string>;
}

function reportUnprotectedRemoval(
  settings: RemovalSettings,
  what: string,
  finalSnapshotPossible: boolean,
  reportViolation: (message: string) => void,
): void {
  if (settings.deletionProtection !== true) {
    reportViolation(`The production ${what} must set deletionProtection: true.`);
  }
  if (finalSnapshotPossible && settings.skipFinalSnapshot !== false) {
    reportViolation(`The production ${what} must set skipFinalSnapshot: false so a final snapshot is taken.`);
  }
}

export const rdsDeletionProtectionInProduction: ResourceValidationPolicy = {
  name: 'rds-deletion-protection-in-production',
  description:
    'Production RDS instances and clusters have deletion protection and take a final snapshot when deleted. ' +
    'Production means the stack is listed in productionStacks (default: prod, production) or the resource ' +
    'is tagged Environment: prod or production.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Database Review', 'Test database recovery process'),
  remediationSteps: 'Set deletionProtection: true and skipFinalSnapshot: false with a finalSnapshotIdentifier.',
  configSchema: productionConfigSchema,
  validateResource: [
    validateResourceOfType(aws.rds.Instance, (instance, args, reportViolation) => {
      if (isProduction(args, instance.tags)) {
        // RDS takes no final snapshot of a read replica; its source's final snapshot is the recovery point.
        reportUnprotectedRemoval(instance, 'RDS instance', !isReadReplica(instance), reportViolation);
      }
    }),
    validateResourceOfType(aws.rds.Cluster, (cluster, args, reportViolation) => {
      if (isProduction(args, cluster.tags)) {
        reportUnprotectedRemoval(cluster, 'RDS cluster', true, reportViolation);
      }
    }),
  ],
};

/** The parameter that makes each engine refuse connections without TLS. */
const TLS_PARAMETERS: Array<{ family: RegExp; name: string }> = [
  { family: /^mysql/, name: 'require_secure_transport' },
  { family: /^postgres/, name: 'rds.force_ssl' },
];

export const rdsRequiresTls: ResourceValidationPolicy = {
  name: 'rds-requires-tls',
  description: 'RDS refuses connections without TLS (require_secure_transport for MySQL, rds.force_ssl for PostgreSQL), set in a parameter group of the stack\'s own.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Verify HTTPS/SSL configuration'),
  remediationSteps:
    'Give the instance a parameter group with require_secure_transport = 1 (MySQL) or rds.force_ssl = 1 (PostgreSQL), and connect with DB_SSL=verify and the RDS CA bundle.',
  validateResource: [
    validateResourceOfType(aws.rds.ParameterGroup, (group, _args, reportViolation) => {
      const rule = TLS_PARAMETERS.find((candidate) => candidate.family.test(group.family));
      if (!rule) return;
      const value = group.parameters?.find((parameter) => parameter.name === rule.name)?.value;
      if (value !== '1' && value?.toUpperCase() !== 'ON') {
        reportViolation(`The ${group.family} parameter group must set ${rule.name} = 1 (it is ${value ?? 'not set'}).`);
      }
    }),
    validateResourceOfType(aws.rds.Instance, (instance, _args, reportViolation) => {
      if (!instance.parameterGroupName || instance.parameterGroupName.startsWith('default.')) {
        reportViolation('The RDS instance must use a parameter group of the stack\'s own: the default one accepts connections without TLS.');
      }
    }),
  ],
};

function reportUnmanagedMasterPassword(
  settings: { manageMasterUserPassword?: boolean; password?: string },
  what: string,
  reportViolation: (message: string) => void,
): void {
  if (settings.manageMasterUserPassword !== true) {
    reportViolation(`The ${what} must set manageMasterUserPassword: true, so RDS keeps the master password in Secrets Manager.`);
  }
  if (settings.password !== undefined) {
    reportViolation(`The ${what} must not be given a master password: it would sit in the stack's state and never rotate.`);
  }
}

export const rdsMasterPasswordManaged: ResourceValidationPolicy = {
  name: 'rds-master-password-managed',
  description:
    'RDS generates the master password, keeps it in Secrets Manager and rotates it; no program or state file holds ' +
    'it, and the app connects as a user of its own.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Update admin credentials'),
  remediationSteps:
    'Set manageMasterUserPassword: true and remove password (masterPassword on a cluster); read the master ' +
    'credentials from masterUserSecrets[0].secretArn.',
  validateResource: [
    validateResourceOfType(aws.rds.Instance, (instance, _args, reportViolation) => {
      // A read replica takes its users, the master among them, from its source.
      if (!isReadReplica(instance)) reportUnmanagedMasterPassword(instance, 'RDS instance', reportViolation);
    }),
    validateResourceOfType(aws.rds.Cluster, (cluster, _args, reportViolation) => {
      reportUnmanagedMasterPassword({ manageMasterUserPassword: cluster.manageMasterUserPassword, password: cluster.masterPassword }, 'RDS cluster', reportViolation);
    }),
  ],
};

export const policies: ResourceValidationPolicy[] = [
  rdsStorageEncrypted,
  rdsMasterPasswordManaged,
  rdsRequiresTls,
  rdsNotPublic,
  rdsBackupRetention,
  rdsDeletionProtectionInProduction,
];
