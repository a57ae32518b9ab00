import type { PolicyComplianceFramework } from '@pulumi/policy';

/** The guide's pre-deployment reviews, and the recurring maintenance tasks the stack's logs and defences serve. */
type ReviewSection = 'Security Review' | 'Database Review' | 'Monthly Tasks' | 'Quarterly Tasks';

/** Ties a policy to the checklist item of the deployment guide that it enforces. */
export function guideItem(section: ReviewSection, item: string): PolicyComplianceFramework {
  return {
    name: 'TodoBox deployment guide',
    version: '1',
    reference: section,
    specification: item,
  };
}
