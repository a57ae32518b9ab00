import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { createValidatedCertificate } from './certificate';
import type { Naming } from './naming';
import { ORIGIN_SECRET_HEADER } from './loadBalancer';

/** AWS managed policies: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html */
export const MANAGED_CACHE_POLICY = {
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  /**
   * Keyed by path alone, keeping what the origin's Cache-Control allows (up to a year): enough for
   * static files, whose names carry a fingerprint of their content, so a release never shares a key
   * with the one before.
   */
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
};

export const MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** What the distribution takes from the stack besides its names. */
export interface CdnEdge {
  /** Sent to the origin with every request; the load balancer answers 403 without it. */
  originSecret: pulumi.Input<string>;
  /** A provider in CloudFront's region (us-east-1), for the certificate. */
  provider: aws.Provider;
  /** The CLOUDFRONT-scope web ACL every request passes at the edge. */
  webAclArn: pulumi.Input<string>;
}

const ORIGIN_ID = 'todobox-alb';

/**
 * CloudFront in front of the load balancer: /static/* is cached at the edge as long as the app allows
 * (a year for fingerprinted names, an hour for bare ones),
 * everything else passes through uncached with the viewer's headers, cookies and query strings.
 * The origin is reached over HTTPS by its own host name, which the load balancer's certificate covers.
 */
export function createCdn(
  domain: string,
  originHostName: string,
  zoneId: pulumi.Input<string>,
  naming: Naming,
  edge: CdnEdge,
): aws.cloudfront.Distribution {
  const certificateArn = createValidatedCertificate('cdn-cert', domain, zoneId, naming, edge.provider);

  const passThrough = {
    targetOriginId: ORIGIN_ID,
    viewerProtocolPolicy: 'redirect-to-https',
    compress: true,
  };
  return new aws.cloudfront.Distribution(naming.name('cdn'), {
    enabled: true,
    isIpv6Enabled: true,
    httpVersion: 'http2and3',
    comment: `TodoBox ${naming.prefix}`,
    aliases: [domain],
    priceClass: 'PriceClass_100',
    origins: [
      {
        originId: ORIGIN_ID,
        domainName: originHostName,
        customHeaders: [{ name: ORIGIN_SECRET_HEADER, value: edge.originSecret }],
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: 'https-only',
          originSslProtocols: ['TLSv1.2'],
        },
      },
    ],
    defaultCacheBehavior: {
      ...passThrough,
      allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
      cachedMethods: ['GET', 'HEAD'],
      cachePolicyId: MANAGED_CACHE_POLICY.cachingDisabled,
      originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST,
    },
    orderedCacheBehaviors: [
      {
        ...passThrough,
        pathPattern: '/static/*',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: MANAGED_CACHE_POLICY.cachingOptimized,
      },
    ],
    webAclId: edge.webAclArn,
    restrictions: { geoRestriction: { restrictionType: 'none' } },
    viewerCertificate: {
      acmCertificateArn: certificateArn,
      sslSupportMethod: 'sni-only',
      minimumProtocolVersion: 'TLSv1.2_2021',
    },
    tags: naming.tags('cdn'),
  });
}
