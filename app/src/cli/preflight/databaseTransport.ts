import net from 'node:net';
import type { Config } from '../../config';
import { fail, pass, warn, type Verdict } from './types';

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost']);
const PRIVATE_RANGES = new net.BlockList();
for (const [network, prefix] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10]] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4');
}
PRIVATE_RANGES.addSubnet('fc00::', 7, 'ipv6');

function isLoopback(host: string): boolean {
  if (LOOPBACK_NAMES.has(host.toLowerCase())) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

/** A private address, or a name without a dot (a compose service such as `db`, resolved on its private network). */
function isPrivateNetworkHost(host: string): boolean {
  if (net.isIPv4(host)) return PRIVATE_RANGES.check(host, 'ipv4');
  if (net.isIPv6(host)) return PRIVATE_RANGES.check(host, 'ipv6');
  return !host.includes('.');
}

/**
 * The guide's "SSL/TLS enabled" for the database link: a production database on another host is
 * reached over TLS. Only the loopback passes without it; a private network (the compose network, a
 * VPC address) is a warning, since anything else on that network can read the traffic.
 */
export function databaseTransportVerdict(config: Config): Verdict {
  const { dialect, host, tls } = config.database;
  if (dialect === 'sqlite') return pass('SQLite is a local file: no network link');
  if (tls.mode === 'verify') return pass(`TLS to ${host}, the server's certificate checked (DB_SSL=verify)`);
  if (isLoopback(host)) return pass(`${host} is this host: the link never leaves it`);
  if (tls.mode === 'on') return warn(`TLS to ${host} without checking its certificate: set DB_SSL=verify (with DB_SSL_CA) so nobody can pose as the server`);
  if (!config.isProduction) return warn(`plain TCP to ${host}: set DB_SSL=verify before production`);
  if (isPrivateNetworkHost(host)) return warn(`plain TCP to ${host} on a private network: anything on that network can read the traffic; set DB_SSL=verify`);
  return fail(`plain TCP to ${host}, another host: passwords and data cross the network readable; set DB_SSL=verify and DB_SSL_CA`);
}
