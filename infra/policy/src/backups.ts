import * as aws from '@pulumi/aws';
import type { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { takesFrom } from './dependencies';
import { guideItem } from './guide';

interface PlanRule {
  copyActions?: unknown[];
}

/** A plan that copies what at least one of its rules takes to another vault: the guide's offsite copy. */
function copiesOffsite(plan: PolicyResource): boolean {
  const rules = (plan.props.rules ?? []) as PlanRule[];
  return rules.some((rule) => (rule.copyActions ?? []).length > 0);
}

export const rdsOffsiteBackup: StackValidationPolicy = {
  name: 'rds-offsite-backup',
  description:
    "Every RDS instance that is not a read replica is selected by an AWS Backup plan that copies its snapshots to another vault: the guide's weekly offsite backup, beside RDS's own automated backups in the same region.",
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Database Review', 'Verify database backups configured'),
  remediationSteps:
    'Add an aws.backup.Selection with the instance in resources, whose plan (planId) has a rule with a copyActions entry to a vault in a second region.',
  validateStack: (args, reportViolation) => {
    const plans = args.resources.filter((resource) => resource.isType(aws.backup.Plan));
    const selections = args.resources.filter((resource) => resource.isType(aws.backup.Selection));
    const instances = args.resources.filter((resource) => resource.isType(aws.rds.Instance) && !resource.props.replicateSourceDb);
    for (const instance of instances) {
      const selected = selections.filter((selection) => takesFrom(selection, 'resources', instance));
      const plansOf = plans.filter((plan) => selected.some((selection) => takesFrom(selection, 'planId', plan)));
      if (plansOf.length === 0) {
        reportViolation(`The RDS instance ${instance.name} must be selected by an AWS Backup plan.`, instance.urn);
      } else if (!plansOf.some(copiesOffsite)) {
        reportViolation(`The AWS Backup plan of the RDS instance ${instance.name} must copy its snapshots to another vault (copyActions).`, instance.urn);
      }
    }
  },
};

export const policies: StackValidationPolicy[] = [rdsOffsiteBackup];
