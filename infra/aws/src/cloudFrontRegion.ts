import * as aws from '@pulumi/aws';
import type { Naming } from './naming';

/** CloudFront takes its certificate from ACM and its web ACL from WAF in this region only, whatever the stack's. */
export const CLOUDFRONT_REGION = 'us-east-1';

export function createCloudFrontRegionProvider(naming: Naming): aws.Provider {
  return new aws.Provider(naming.name('us-east-1'), { region: CLOUDFRONT_REGION });
}
