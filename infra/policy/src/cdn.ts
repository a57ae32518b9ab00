import * as aws from '@pulumi/aws';
import { ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';

/** The smallest secret worth the name in an origin header (the stack generates 40 characters). */
const MINIMUM_SECRET_LENGTH = 32;

export const cloudFrontOriginSecret: ResourceValidationPolicy = {
  name: 'cloudfront-origin-secret',
  description:
    'CloudFront sends its custom origins a secret header, so the load balancer can refuse (403) whatever reaches it around the CDN ' +
    '(its security group takes only CloudFront\'s origin-facing prefix list as well).',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Verify HTTPS/SSL configuration'),
  remediationSteps:
    'Give each custom origin a customHeaders entry with a generated secret of 32 characters or more, and have the HTTPS ' +
    'listener forward only requests that carry it (a fixed 403 otherwise).',
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _args, reportViolation) => {
    for (const origin of distribution.origins ?? []) {
      if (!origin.customOriginConfig) continue;
      const secret = origin.customHeaders?.find((header) => header.value.length >= MINIMUM_SECRET_LENGTH);
      if (!secret) {
        reportViolation(`The custom origin ${origin.originId} must be sent a secret header of ${MINIMUM_SECRET_LENGTH}+ characters.`);
      }
    }
  }),
};

export const cloudFrontAliasWithoutHealthEvaluation: ResourceValidationPolicy = {
  name: 'cloudfront-alias-without-health-evaluation',
  description: 'A Route 53 alias to CloudFront sets evaluateTargetHealth false: Route 53 refuses true for a CloudFront target.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  framework: guideItem('Security Review', 'Verify HTTPS/SSL configuration'),
  remediationSteps: 'Set evaluateTargetHealth: false on aliases whose name ends in .cloudfront.net.',
  validateResource: validateResourceOfType(aws.route53.Record, (record, _args, reportViolation) => {
    for (const alias of record.aliases ?? []) {
      if (alias.name.endsWith('.cloudfront.net') && alias.evaluateTargetHealth !== false) {
        reportViolation(`The alias of ${record.name} to CloudFront must set evaluateTargetHealth: false.`);
      }
    }
  }),
};

export const policies: ResourceValidationPolicy[] = [cloudFrontOriginSecret, cloudFrontAliasWithoutHealthEvaluation];
