/**
 * Who the client of a request is, for per-client sign-in rate limits and lockouts (issue 13). Clients can forge any
 * header, so only two sources are trusted:
 *
 *  - POSTERN_CLIENT_IP_HEADER set: the header *your* reverse proxy sets (one address; the peer is the proxy).
 *  - otherwise the socket's peer address, which scripts/serve.mjs (the server `npm start` runs) writes into
 *    x-postern-peer on every request, overwriting whatever a client sent, together with x-postern-peer-key: a key
 *    made at each start and registered in this process (globalThis[PEER_REGISTRATION]). The peer header counts only
 *    when that key matches, so without serve.mjs (`next dev` on its own, a handler called in a test) a client-sent
 *    x-postern-peer is never believed: there is no key to match, and all clients share one bucket (the fallback
 *    when no address can be trusted).
 *
 * The auth route (app/api/auth) hands better-auth the result in x-postern-client (withClientHeader), the only
 * header better-auth reads for its rate limit and session records (server/auth/auth.ts); a client-sent one is
 * replaced or removed.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

/** Set by scripts/serve.mjs from the socket (same names as scripts/serve-support.mjs). */
export const PEER_HEADER = "x-postern-peer";
export const PEER_KEY_HEADER = "x-postern-peer-key";
export const PEER_REGISTRATION = Symbol.for("postern.peer");
/** What better-auth reads (advanced.ipAddress.ipAddressHeaders): set by withClientHeader, never by a client. */
export const CLIENT_HEADER = "x-postern-client";
/** The lockout bucket of requests whose client address cannot be trusted. */
export const UNKNOWN_CLIENT = "unknown";

function registeredKey(): string | null {
  const registration = (globalThis as Record<symbol, { key?: unknown } | undefined>)[PEER_REGISTRATION];
  return typeof registration?.key === "string" && registration.key.length >= 32 ? registration.key : null;
}

function sameKey(given: string, key: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(key));
}

/** One IP address (IPv4-mapped IPv6 as IPv4), or null for anything else (lists, names, garbage). */
function singleAddress(value: string | null): string | null {
  const text = value?.trim() ?? "";
  const address = text.toLowerCase().startsWith("::ffff:") && isIP(text.slice(7)) === 4 ? text.slice(7) : text;
  return isIP(address) ? address.toLowerCase() : null;
}

/** The client's address when it can be trusted (see above), else null. */
export function clientAddress(headers: Headers): string | null {
  const proxyHeader = process.env.POSTERN_CLIENT_IP_HEADER?.trim();
  if (proxyHeader) return singleAddress(headers.get(proxyHeader));
  const key = registeredKey();
  const given = headers.get(PEER_KEY_HEADER);
  if (!key || !given || !sameKey(given, key)) return null;
  return singleAddress(headers.get(PEER_HEADER));
}

/**
 * The lockout key of a client: the IPv4 address, an IPv6 address's /64 (one host usually holds a whole /64, as
 * better-auth's rate limit also assumes), or UNKNOWN_CLIENT.
 */
export function clientKey(headers: Headers): string {
  const address = clientAddress(headers);
  if (!address) return UNKNOWN_CLIENT;
  if (isIP(address) === 4) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : address.split(":");
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ""));
  return `${prefix.join(":")}::/64`;
}

/** The request better-auth gets: x-postern-client set to the trusted client address, or removed. */
export function withClientHeader(request: Request): Request {
  const address = clientAddress(request.headers);
  const current = request.headers.get(CLIENT_HEADER);
  if (current === address || (current === null && address === null)) return request;
  const headers = new Headers(request.headers);
  if (address) headers.set(CLIENT_HEADER, address);
  else headers.delete(CLIENT_HEADER);
  const init: RequestInit & { duplex?: "half" } = { method: request.method, headers, body: request.body, signal: request.signal, redirect: request.redirect };
  if (request.body) init.duplex = "half";
  return new Request(request.url, init);
}
