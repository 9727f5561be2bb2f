/**
 * The network a vault event came from (DESIGN.md §3, `secret-access-anomaly` `new-network`): an IPv4 address's /24
 * ("203.0.113.0/24"), an IPv6 address's /64 ("2001:db8:1:2::/64"; IPv4-mapped IPv6 counts as IPv4). Anything else a
 * vault puts in its source field (CloudTrail's "secretsmanager.amazonaws.com", a CyberArk station name) is its own
 * network, lower-cased. Pure: no node:net, so the UI may import it too.
 */

const MAX_LENGTH = 100;

function ipv4Octets(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address, or null. */
function ipv6Groups(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(s) || !s.includes(":")) return null;
  // A trailing dotted IPv4 part (::ffff:192.0.2.1) is two groups.
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = ipv4Octets(s.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    s = `${s.slice(0, lastColon + 1)}${tail.length ? "0:0" : ""}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest].map((g) => parseInt(g, 16));
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups;
}

/** "[2001:db8::1]:443", "192.0.2.1:443" → the address alone. */
function stripPort(text: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracket) return bracket[1]!;
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return v4port ? v4port[1]! : text;
}

export function sourceNetwork(address: string): string | null {
  const text = stripPort(address.trim());
  if (!text) return null;
  const v4 = ipv4Octets(text);
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.0/24`;
  const v6 = ipv6Groups(text);
  if (v6) {
    if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) return `${v6[6]! >> 8}.${v6[6]! & 255}.${v6[7]! >> 8}.0/24`;
    // The /64 prefix, shortened like an address (trailing zero groups dropped before "::").
    const prefix = v6.slice(0, 4);
    while (prefix.length && prefix[prefix.length - 1] === 0) prefix.pop();
    return `${prefix.map((g) => g.toString(16)).join(":")}::/64`;
  }
  return text.toLowerCase().slice(0, MAX_LENGTH);
}
