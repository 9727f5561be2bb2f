/**
 * Webhooks must not become a way into the network Postern runs in (server-side request forgery): a webhook URL may
 * not point at a loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast or
 * otherwise non-public address — checked on the literal when the webhook is saved, and on every address the host
 * name resolves to before each delivery (a name can be re-pointed after it was saved). POSTERN_WEBHOOK_ALLOW_PRIVATE=1
 * lifts this for installations whose receivers live on the internal network. The check and fetch's own connection
 * resolve the name separately: a resolver answering differently within that instant is not caught (pinning the
 * checked address needs a custom fetch dispatcher).
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24],
  ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128], ["::1", 128], ["64:ff9b::", 96], ["100::", 64], ["2001:db8::", 32], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8],
] as const) blocked.addSubnet(net, prefix, "ipv6");

/** True when `address` (an IP literal) is one a webhook may be sent to. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 4) return !blocked.check(bare, "ipv4");
  if (family === 6) {
    // An IPv4-mapped IPv6 address (::ffff:10.0.0.1, or its hex form ::ffff:a00:1) is the IPv4 address it carries.
    const mapped = /^::ffff:(?:0:)?(.+)$/i.exec(bare)?.[1];
    if (mapped) {
      if (isIP(mapped) === 4) return !blocked.check(mapped, "ipv4");
      const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(mapped);
      if (hex) {
        const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
        return !blocked.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."), "ipv4");
      }
    }
    return !blocked.check(bare, "ipv6");
  }
  return false;
}

export function privateAddressesAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.POSTERN_WEBHOOK_ALLOW_PRIVATE === "1";
}

const REFUSAL = "points at a private, loopback or link-local address (set POSTERN_WEBHOOK_ALLOW_PRIVATE=1 to allow internal receivers)";

/** The refusal for a host that is a non-public IP literal or a local name, whatever the switch says. */
function localHostRefusal(url: URL): string | null {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return `the webhook URL ${REFUSAL}`;
  if (isIP(host.replace(/^\[|\]$/g, "")) && !isPublicAddress(host)) return `the webhook URL ${REFUSAL}`;
  return null;
}

/** The refusal for a URL whose host is a non-public IP literal or a local name; null when it may be saved. */
export function literalRefusal(url: URL): string | null {
  return privateAddressesAllowed() ? null : localHostRefusal(url);
}

/** Before a delivery: the refusal when any address the host resolves to is not public; null when it may be sent. */
export async function resolvedRefusal(url: URL, resolve: typeof lookup = lookup): Promise<string | null> {
  if (privateAddressesAllowed()) return null;
  const literal = localHostRefusal(url);
  if (literal) return literal;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return null;
  const addresses = await resolve(host, { all: true, verbatim: true });
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  return bad ? `${url.hostname} resolves to ${bad.address}, which ${REFUSAL.replace("points at", "is")}` : null;
}
