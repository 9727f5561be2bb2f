/**
 * Secret references in one spelling, so that events of one secret from different actions land on one Secret row.
 *
 * - Whitespace trimmed, `\` read as `/` (CyberArk "safe\account" folders), repeated and edge slashes dropped.
 * - HashiCorp Vault KV v2 API segments after the mount (`metadata/`, `delete/`, `undelete/`, `destroy/`) are
 *   spelled `data/`: `secret/metadata/app/db` and `secret/data/app/db` are one secret. Operations on those
 *   segments manage versions and metadata: they are not rotations (see `isKvMetadataPath`).
 * - Secrets Manager ARNs and names are kept as given (a name cannot be turned into an ARN without the account).
 *
 * Vault paths that are not secrets (system backend `sys/`, auth methods `auth/`, `identity/`, `cubbyhole/`) are
 * skipped by the persister: they say nothing about a secret's hygiene.
 */

const KV2_META = new Set(["metadata", "delete", "undelete", "destroy"]);
const NOT_SECRETS = /^(sys|auth|identity|cubbyhole)(\/|$)/i;

export function normaliseSecretRef(raw: string): string {
  const ref = raw.trim().replace(/\\+/g, "/").replace(/\/{2,}/g, "/");
  if (/^arn:/i.test(ref)) return ref;
  const trimmed = ref.replace(/^\/+|\/+$/g, "");
  const segments = trimmed.split("/");
  if (segments.length > 2 && KV2_META.has(segments[1] ?? "")) segments[1] = "data";
  return segments.join("/");
}

export function isKvMetadataPath(raw: string): boolean {
  const segments = raw.trim().replace(/\\+/g, "/").replace(/^\/+/, "").split("/");
  return segments.length > 2 && KV2_META.has(segments[1] ?? "");
}

/** A HashiCorp Vault path that is not a secret (system backend, auth methods, identity, cubbyhole). */
export function isNonSecretVaultPath(raw: string): boolean {
  return NOT_SECRETS.test(raw.trim().replace(/^\/+/, ""));
}

const SECRETS_MANAGER_ARN = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;

/**
 * A Secrets Manager secret's name without the 6-character suffix AWS appends in ARNs: the key on which a KMS call
 * made on a caller's behalf is paired with the caller's Secrets Manager call (the two name the secret differently).
 */
export function secretsManagerName(ref: string): string {
  const arn = SECRETS_MANAGER_ARN.exec(ref.trim());
  const name = arn?.[1] ?? ref.trim();
  return arn ? name.replace(/-[A-Za-z0-9]{6}$/, "") : name;
}

/** A short label: the ARN's secret name, else the reference itself. */
export function secretDisplayName(ref: string): string {
  const arn = SECRETS_MANAGER_ARN.exec(ref);
  return (arn?.[1] ?? ref).slice(0, 300);
}
