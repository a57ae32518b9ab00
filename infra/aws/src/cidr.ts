/** The netNumber-th block of `newBits` more prefix bits inside an IPv4 CIDR block (Terraform's cidrsubnet). */
export function ipv4Subnet(cidr: string, newBits: number, netNumber: number): string {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText) + newBits;
  if (prefix > 28 || netNumber >= 2 ** newBits) throw new Error(`${cidr} has no subnet ${netNumber} of /${prefix}`);
  const base = address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const network = base + netNumber * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/** The netNumber-th /64 inside the /56 that AWS assigns to a VPC. */
export function ipv6Subnet(vpcBlock: string, netNumber: number): string {
  const [address, prefix] = vpcBlock.split('/');
  if (prefix !== '56' || netNumber > 255) throw new Error(`expected a /56 IPv6 block, got ${vpcBlock}`);
  const groups = address.replace(/::$/, '').split(':');
  const fourth = parseInt(groups[3] ?? '0', 16) + netNumber;
  return `${groups.slice(0, 3).join(':')}:${fourth.toString(16)}::/64`;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Whether `text` is an IPv4 network with no host bits set (`203.0.113.0/24`, `198.51.100.7/32`); AWS WAF IP sets refuse /0. */
export function isIpv4Network(text: string): boolean {
  const match = IPV4_CIDR.exec(text);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix < 1 || prefix > 32) return false;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  return address % 2 ** (32 - prefix) === 0;
}
