/**
 * Credential redaction for evidence kept from scanner reports, logs and audits (DESIGN.md §7).
 * Applied at ingest so that no credential is ever stored, logged or shown.
 */

const REDACTED = "[REDACTED]";

// Header lines whose whole value is a credential.
const SECRET_HEADER =
  /^((?:proxy-)?authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|x-csrf-token|x-xsrf-token|x-amz-security-token)\s*:.*$/gim;
// key=value / "key": "value" pairs whose key names a secret (query strings, form bodies, JSON).
const SECRET_PAIR =
  /((?:["']?)(?:[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|session[_-]?id|auth)[\w-]*)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s&,;"'}<]+)/gi;
// Bearer/Basic credentials anywhere in free text.
const AUTH_SCHEME_VALUE = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9\-._~+/=]{8,}/g;
// JSON Web Tokens anywhere.
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b/g;
// AWS access key ids.
const AWS_KEY = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/**
 * Whether `text` could match any pattern above: each needs a ":" or "=", a blank (\s, ASCII or not), "eyJ" (JWT) or
 * "AKIA"/"ASIA" (AWS key). Most URL paths and log fields have none of these, and this scan is far cheaper than the
 * five regex passes. Keep in step with the patterns.
 */
function mayHoldSecret(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 58 || c === 61) return true;
  }
  return text.includes("eyJ") || text.includes("AKIA") || text.includes("ASIA");
}

export function redact(text: string): string {
  if (!mayHoldSecret(text)) return text;
  return text
    .replace(SECRET_HEADER, (_m, header: string) => `${header}: ${REDACTED}`)
    .replace(AUTH_SCHEME_VALUE, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(AWS_KEY, REDACTED)
    .replace(SECRET_PAIR, (_m, key: string, value: string) => {
      const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : "";
      return `${key}${quote}${REDACTED}${quote}`;
    });
}

/** Redacts and truncates an excerpt so that evidence stays small. */
export function evidenceExcerpt(text: string | undefined | null, maxChars = 4000): string | undefined {
  if (!text) return undefined;
  // Bound the input before the regexes run (their cost grows with length); the margin keeps a secret that
  // straddles the cut recognisable, and whatever is cut off is never stored.
  const bounded = text.length > maxChars + 1000 ? text.slice(0, maxChars + 1000) : text;
  const clean = redact(bounded);
  const dropped = text.length - bounded.length + Math.max(0, clean.length - maxChars);
  return dropped > 0 ? `${clean.slice(0, maxChars)}\n… [truncated ${dropped} chars]` : clean;
}
