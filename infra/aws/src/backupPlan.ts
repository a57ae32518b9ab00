import * as aws from '@pulumi/aws';
import { AWS_BACKUP_RULES, BACKUP_TIERS } from './backupSchedule';
import { accountKey } from './accountKey';
import type { StackConfig } from './config';
import type { Naming } from './naming';

/** AWS's policies for its Backup service role: taking the snapshots, and restoring one into a new instance. */
export const BACKUP_SERVICE_POLICIES = {
  backup: 'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
  restore: 'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
};
/** The shortest retention either vault's lock allows: no recovery point can be removed sooner, even by an operator. */
export const VAULT_MIN_RETENTION_DAYS = 7;

export interface BackupPlan {
  vault: aws.backup.Vault;
  copyVault: aws.backup.Vault;
  plan: aws.backup.Plan;
  selection: aws.backup.Selection;
}


/**
 * A vault with a key of its own. In prod it is locked in governance mode: recovery points stay at least
 * VAULT_MIN_RETENTION_DAYS and at most the monthly tier's retention. A staging vault is left unlocked, so
 * `pulumi destroy` can empty it.
 */
function lockedVault(config: StackConfig, name: string, naming: Naming, provider?: aws.Provider): aws.backup.Vault {
  const key = accountKey(`${name}-key`, `Encrypts the TodoBox ${config.stack} AWS Backup vault ${naming.name(name)}`, naming, provider);
  const vault = new aws.backup.Vault(
    naming.name(name),
    { name: naming.name(name), kmsKeyArn: key.arn, forceDestroy: !config.isProduction, tags: naming.tags(name) },
    { provider },
  );
  if (config.isProduction) {
    new aws.backup.VaultLockConfiguration(
      naming.name(`${name}-lock`),
      { backupVaultName: vault.name, minRetentionDays: VAULT_MIN_RETENTION_DAYS, maxRetentionDays: BACKUP_TIERS.monthly.expireAfterDays },
      { provider },
    );
  }
  return vault;
}

/**
 * The guide's weekly offsite and monthly archive tiers of the RDS database, beside RDS's own automated
 * backups (daily, with point-in-time recovery for dbBackupRetentionDays): AWS Backup snapshots it on
 * schedule into a vault here and copies each snapshot to a vault in backupCopyRegion, so losing the
 * region or the account's RDS snapshots leaves the copies. No cold storage: AWS Backup moves no RDS
 * snapshot there (it ignores the setting for RDS); the cold monthly archive is the backup bucket's.
 */
export function createBackupPlan(config: StackConfig, database: aws.rds.Instance, naming: Naming): BackupPlan {
  const copyRegion = new aws.Provider(naming.name('backup-copy-region'), { region: config.backupCopyRegion });
  const vault = lockedVault(config, 'backup-vault', naming);
  const copyVault = lockedVault(config, 'backup-copy-vault', naming, copyRegion);

  const rule = (tier: keyof typeof AWS_BACKUP_RULES): aws.types.input.backup.PlanRule => {
    const lifecycle = { deleteAfter: AWS_BACKUP_RULES[tier].deleteAfterDays };
    return {
      ruleName: tier,
      targetVaultName: vault.name,
      schedule: AWS_BACKUP_RULES[tier].schedule,
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindow: 60,
      completionWindow: 8 * 60,
      lifecycle,
      copyActions: [{ destinationVaultArn: copyVault.arn, lifecycle }],
      recoveryPointTags: naming.tags('backup', { BackupTier: tier }),
    };
  };
  const plan = new aws.backup.Plan(naming.name('backup-plan'), {
    name: naming.name('backup-plan'),
    rules: [rule('weekly'), rule('monthly')],
    tags: naming.tags('backup-plan'),
  });

  const role = new aws.iam.Role(naming.name('backup-role'), {
    description: 'AWS Backup: snapshots and restores of the TodoBox database',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    tags: naming.tags('backup-role'),
  });
  const attachments = Object.entries(BACKUP_SERVICE_POLICIES).map(
    ([purpose, policyArn]) => new aws.iam.RolePolicyAttachment(naming.name(`backup-role-${purpose}`), { role: role.name, policyArn }),
  );
  const selection = new aws.backup.Selection(
    naming.name('backup-database'),
    { name: naming.name('database'), planId: plan.id, iamRoleArn: role.arn, resources: [database.arn] },
    { dependsOn: attachments },
  );
  return { vault, copyVault, plan, selection };
}
