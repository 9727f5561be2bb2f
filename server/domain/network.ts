/**
 * Whether a client address is on the public internet (not private, loopback, link-local, CGNAT, benchmarking,
 * multicast or unique-local), for the exposure a shadow Api's traffic implies (DESIGN.md "Shadow records"). The
 * documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) count as public: they are what
 * examples, sample logs and the demo use for public clients. Pure text parsing, no node:net, so the module stays
 * importable anywhere.
 */

function ipv4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function publicV4([a = 0, b = 0, c = 0]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b <= 127) return false; // CGNAT 100.64/10
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && c === 0) return false; // IETF protocol assignments
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  return true;
}

/** true for a public IPv4/IPv6 address; false for private ones and for anything that is not an address. */
export function isPublicAddress(raw: string): boolean {
  let text = raw.trim().toLowerCase();
  if (text.startsWith("[") && text.includes("]")) text = text.slice(1, text.indexOf("]"));
  const v4 = ipv4(text.replace(/:\d+$/, ""));
  if (v4) return publicV4(v4);
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(":")) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped) {
    const inner = ipv4(mapped[1] ?? "");
    return inner ? publicV4(inner) : false;
  }
  if (text === "::1" || text === "::") return false;
  const first = parseInt(text.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80) return false; // link-local fe80::/10
  if ((first & 0xff00) === 0xff00) return false; // multicast
  return (first & 0xe000) === 0x2000; // global unicast 2000::/3
}
