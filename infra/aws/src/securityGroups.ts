import * as aws from '@pulumi/aws';
import { APP_PORT, METRICS_PORT, MYSQL_PORT, NODE_EXPORTER_PORT, REDIS_PORT } from './config';
import type { Network } from './network';
import type { Naming } from './naming';

export interface SecurityGroups {
  loadBalancer: aws.ec2.SecurityGroup;
  app: aws.ec2.SecurityGroup;
  /** The monitoring host's: the only source allowed to scrape the app, node_exporter, the database and Redis. */
  monitoring: aws.ec2.SecurityGroup;
  database: aws.ec2.SecurityGroup;
  cache: aws.ec2.SecurityGroup;
}

const ANYWHERE_V4 = '0.0.0.0/0';
const ANYWHERE_V6 = '::/0';

/**
 * Rules are inline and reference groups in one direction only (the database trusts the app, the app trusts the
 * load balancer), so every group's whole policy reads in one place and no group waits on another's rules.
 * There is no SSH rule anywhere: operators use Session Manager.
 */
/** AWS's list of the addresses CloudFront reaches origins from (it counts as about 55 rules, so one port only). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

function internetIngress() {
  return [80, 443].map((port) => ({
    description: port === 443 ? 'HTTPS' : 'HTTP, redirected to HTTPS',
    protocol: 'tcp',
    fromPort: port,
    toPort: port,
    cidrBlocks: [ANYWHERE_V4],
    ipv6CidrBlocks: [ANYWHERE_V6],
  }));
}

/** Behind CloudFront the load balancer takes HTTPS from CloudFront only: nobody reaches it around the CDN. */
function cloudFrontIngress() {
  const prefixList = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST });
  return [{ description: 'HTTPS from CloudFront', protocol: 'tcp', fromPort: 443, toPort: 443, prefixListIds: [prefixList.id] }];
}

export function createSecurityGroups(network: Network, naming: Naming, options: { behindCloudFront: boolean }): SecurityGroups {
  const vpcId = network.vpc.id;

  const loadBalancer = new aws.ec2.SecurityGroup(naming.name('alb-sg'), {
    vpcId,
    description: options.behindCloudFront ? 'TodoBox load balancer: HTTPS from CloudFront' : 'TodoBox load balancer: HTTP and HTTPS from the internet',
    ingress: options.behindCloudFront ? cloudFrontIngress() : internetIngress(),
    egress: [
      { description: 'App servers', protocol: 'tcp', fromPort: APP_PORT, toPort: APP_PORT, cidrBlocks: network.appSubnetCidrs },
    ],
    // The policy pack allows internet ingress (80/443 only) on groups tagged as the load balancer's.
    tags: naming.tags('alb-sg', { role: 'load-balancer' }),
  });

  // No ingress: Grafana, Prometheus and Alertmanager listen on the host's loopback, reached through Session Manager.
  const monitoring = new aws.ec2.SecurityGroup(naming.name('monitoring-sg'), {
    vpcId,
    // A group's description cannot change without replacing the group: this one, the database's and Redis's keep their first wording.
    description: 'TodoBox monitoring: Prometheus scrapers of app and node metrics',
    egress: [
      { description: 'App metrics', protocol: 'tcp', fromPort: METRICS_PORT, toPort: METRICS_PORT, cidrBlocks: network.appSubnetCidrs },
      { description: 'node_exporter', protocol: 'tcp', fromPort: NODE_EXPORTER_PORT, toPort: NODE_EXPORTER_PORT, cidrBlocks: network.appSubnetCidrs },
      { description: 'mysqld_exporter to MySQL', protocol: 'tcp', fromPort: MYSQL_PORT, toPort: MYSQL_PORT, cidrBlocks: network.dataSubnetCidrs },
      { description: 'redis_exporter to Redis', protocol: 'tcp', fromPort: REDIS_PORT, toPort: REDIS_PORT, cidrBlocks: network.dataSubnetCidrs },
      // Packages, AWS APIs, Slack and PagerDuty through NAT, S3 through its endpoint, and the blackbox probe of the public URL.
      { description: 'HTTPS out', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [ANYWHERE_V4] },
      { description: 'HTTP out (Ubuntu package mirrors)', protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: [ANYWHERE_V4] },
    ],
    tags: naming.tags('monitoring-sg'),
  });

  const app = new aws.ec2.SecurityGroup(naming.name('app-sg'), {
    vpcId,
    description: 'TodoBox app servers: the app port from the load balancer, metrics from monitoring',
    ingress: [
      { description: 'App from the load balancer', protocol: 'tcp', fromPort: APP_PORT, toPort: APP_PORT, securityGroups: [loadBalancer.id] },
      { description: 'App metrics (/metrics)', protocol: 'tcp', fromPort: METRICS_PORT, toPort: METRICS_PORT, securityGroups: [monitoring.id] },
      {
        description: 'node_exporter',
        protocol: 'tcp',
        fromPort: NODE_EXPORTER_PORT,
        toPort: NODE_EXPORTER_PORT,
        securityGroups: [monitoring.id],
      },
    ],
    egress: [
      // Packages, Secrets Manager and Session Manager through NAT; the release artifact through the S3 gateway endpoint.
      { description: 'HTTPS out', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [ANYWHERE_V4] },
      { description: 'HTTP out (Ubuntu package mirrors)', protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: [ANYWHERE_V4] },
      { description: 'MySQL', protocol: 'tcp', fromPort: MYSQL_PORT, toPort: MYSQL_PORT, cidrBlocks: network.dataSubnetCidrs },
      { description: 'Redis', protocol: 'tcp', fromPort: REDIS_PORT, toPort: REDIS_PORT, cidrBlocks: network.dataSubnetCidrs },
    ],
    tags: naming.tags('app-sg'),
  });

  const database = new aws.ec2.SecurityGroup(naming.name('db-sg'), {
    vpcId,
    description: 'TodoBox database: MySQL from the app servers only',
    ingress: [
      { description: 'MySQL from the app', protocol: 'tcp', fromPort: MYSQL_PORT, toPort: MYSQL_PORT, securityGroups: [app.id] },
      { description: 'MySQL from mysqld_exporter', protocol: 'tcp', fromPort: MYSQL_PORT, toPort: MYSQL_PORT, securityGroups: [monitoring.id] },
    ],
    tags: naming.tags('db-sg'),
  });

  const cache = new aws.ec2.SecurityGroup(naming.name('cache-sg'), {
    vpcId,
    description: 'TodoBox Redis: from the app servers only',
    ingress: [
      { description: 'Redis from the app', protocol: 'tcp', fromPort: REDIS_PORT, toPort: REDIS_PORT, securityGroups: [app.id] },
      { description: 'Redis from redis_exporter', protocol: 'tcp', fromPort: REDIS_PORT, toPort: REDIS_PORT, securityGroups: [monitoring.id] },
    ],
    tags: naming.tags('cache-sg'),
  });

  return { loadBalancer, app, monitoring, database, cache };
}
