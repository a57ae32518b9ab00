import type { PolicyComplianceFramework } from '@pulumi/policy';

type ReviewSection = 'Security Review' | 'Database Review';

/** Ties a policy to the checklist item of the deployment guide's pre-deployment review that it enforces. */
export function guideItem(section: ReviewSection, item: string): PolicyComplianceFramework {
  return {
    name: 'TodoBox deployment guide',
    version: '1',
    reference: section,
    specification: item,
  };
}
