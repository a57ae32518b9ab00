import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { APP_PORT, DEREGISTRATION_DELAY_SECONDS, HEALTH_CHECK_PATH, type StackConfig } from './config';
import { createValidatedCertificate } from './certificate';
import type { Network } from './network';
import type { Naming } from './naming';
import type { SecurityGroups } from './securityGroups';

export interface LoadBalancer {
  alb: aws.lb.LoadBalancer;
  /** The listener's ACM certificate, whose days to expiry an alarm watches. */
  certificateArn: pulumi.Output<string>;
  targetGroup: aws.lb.TargetGroup;
  httpsListener: aws.lb.Listener;
}

/** Where the load balancer writes its access logs; `ready` is what lets it write there (the bucket policy). */
export interface AccessLogDestination {
  bucket: pulumi.Input<string>;
  prefix: string;
  ready: pulumi.Resource;
}

/** The header CloudFront adds to every request it sends the load balancer, with a secret of the stack's. */
export const ORIGIN_SECRET_HEADER = 'X-TodoBox-Origin-Secret';

/** TLS 1.3 with TLS 1.2 fallback and forward-secret ciphers only. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export function createLoadBalancer(
  config: StackConfig,
  network: Network,
  securityGroups: SecurityGroups,
  hostName: string,
  zoneId: pulumi.Input<string>,
  accessLogs: AccessLogDestination,
  naming: Naming,
  originSecret?: pulumi.Input<string>,
): LoadBalancer {
  const certificateArn = createValidatedCertificate('alb-cert', hostName, zoneId, naming);

  const alb = new aws.lb.LoadBalancer(naming.name('alb'), {
    loadBalancerType: 'application',
    internal: false,
    ipAddressType: 'dualstack',
    subnets: network.publicSubnets.map((subnet) => subnet.id),
    securityGroups: [securityGroups.loadBalancer.id],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: config.isProduction,
    idleTimeout: 60,
    accessLogs: { enabled: true, bucket: accessLogs.bucket, prefix: accessLogs.prefix },
    tags: naming.tags('alb'),
    // Turning logging on makes ELB write a test object, which is refused until the bucket policy is in place.
  }, { dependsOn: [accessLogs.ready] });

  const targetGroup = new aws.lb.TargetGroup(naming.name('app-tg'), {
    vpcId: network.vpc.id,
    port: APP_PORT,
    protocol: 'HTTP',
    targetType: 'instance',
    deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
    healthCheck: {
      enabled: true,
      path: HEALTH_CHECK_PATH,
      port: 'traffic-port',
      protocol: 'HTTP',
      matcher: '200',
      interval: 15,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    },
    tags: naming.tags('app-tg'),
  });

  const httpsListener = new aws.lb.Listener(naming.name('https'), {
    loadBalancerArn: alb.arn,
    port: 443,
    protocol: 'HTTPS',
    sslPolicy: TLS_POLICY,
    certificateArn,
    // Behind CloudFront only requests carrying CloudFront's secret header reach the app (the rule below).
    defaultActions: [
      originSecret === undefined
        ? { type: 'forward', targetGroupArn: targetGroup.arn }
        : { type: 'fixed-response', fixedResponse: { statusCode: '403', contentType: 'text/plain', messageBody: 'Forbidden' } },
    ],
    tags: naming.tags('https'),
  });
  if (originSecret !== undefined) {
    new aws.lb.ListenerRule(naming.name('from-cloudfront'), {
      listenerArn: httpsListener.arn,
      // After the rule that hides /metrics (10), which must hold for CloudFront's requests too.
      priority: 20,
      conditions: [{ httpHeader: { httpHeaderName: ORIGIN_SECRET_HEADER, values: [originSecret] } }],
      actions: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
      tags: naming.tags('from-cloudfront'),
    });
  }

  new aws.lb.Listener(naming.name('http-redirect'), {
    loadBalancerArn: alb.arn,
    port: 80,
    protocol: 'HTTP',
    defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    tags: naming.tags('http-redirect'),
  });

  // Prometheus scrapes the separate metrics port from inside the VPC; the public never reaches /metrics.
  new aws.lb.ListenerRule(naming.name('hide-metrics'), {
    listenerArn: httpsListener.arn,
    priority: 10,
    conditions: [{ pathPattern: { values: ['/metrics', '/metrics/*'] } }],
    actions: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not Found' } }],
    tags: naming.tags('hide-metrics'),
  });

  return { alb, certificateArn: pulumi.output(certificateArn), targetGroup, httpsListener };
}
