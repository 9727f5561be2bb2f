/**
 * Links a secret reference (Vault path, Secrets Manager name/ARN, CyberArk "safe/account") to Apis (DESIGN.md §3):
 * an explicit mapping wins; otherwise every Api whose slug (or an alias) is a whole segment of the secret.
 * Pure: no database, no I/O.
 */

export interface SecretLinkApi {
  id: string;
  slug: string;
  aliases: string[];
  /** Secret references mapped to this Api explicitly (Backstage annotation, CSV column, settings). */
  explicitSecrets: string[];
}

const SECRETS_MANAGER_ARN = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;
/** Secrets Manager appends "-" and 6 random characters to a secret's name in its ARN. */
const AWS_SUFFIX = /-[A-Za-z0-9]{6}$/;
/** KV v2 inserts an API segment after the mount: secret/data/x, secret/metadata/x… */
const KV2_SEGMENTS = new Set(["data", "metadata", "delete", "undelete", "destroy"]);

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, "");
}

/**
 * Canonical forms of a reference used for explicit matching: the reference itself with `\` read as `/`; for a
 * Secrets Manager ARN the secret name with and without its random suffix (so a mapping may name the secret or its
 * ARN); for a Vault KV v2 path also the form without `data/`/`metadata/`.
 */
function canonicalForms(ref: string): string[] {
  const forms = new Set<string>();
  const base = trimSlashes(ref.trim().replace(/\\+/g, "/"));
  if (!base) return [];
  forms.add(base);
  const arn = SECRETS_MANAGER_ARN.exec(base);
  if (arn?.[1]) {
    forms.add(arn[1]);
    forms.add(arn[1].replace(AWS_SUFFIX, ""));
    forms.add(base.replace(AWS_SUFFIX, ""));
  }
  const segments = base.split("/");
  if (segments.length > 2 && KV2_SEGMENTS.has(segments[1] ?? "")) {
    forms.add([segments[0], ...segments.slice(2)].join("/"));
  }
  return [...forms];
}

/**
 * An explicit entry matches the secret when a canonical form equals one of the secret's, or when the entry names a
 * folder/safe/prefix the secret lies under (`secret/payments/`, `secret/payments/*`, or a CyberArk safe name).
 */
function explicitMatches(entry: string, secretForms: string[]): boolean {
  const raw = entry.trim();
  if (!raw) return false;
  // "team-*" is a glob over names; "team/" and "team/*" name a folder (matched at a segment boundary below).
  const isGlob = /[^/\\]\*+$/.test(raw);
  const entryForms = canonicalForms(raw.replace(/\*+$/, ""));
  for (const e of entryForms) {
    for (const s of secretForms) {
      if (s === e) return true;
      if (s.startsWith(`${e}/`)) return true;
      if (isGlob && s.startsWith(e)) return true;
    }
  }
  return false;
}

/**
 * The segments a slug may match: for a Secrets Manager ARN only the secret name (split on "/"), otherwise the
 * reference split on "/", ":" and "\". Lower-cased.
 */
export function secretSegments(secret: string): string[] {
  const ref = secret.trim();
  const arn = SECRETS_MANAGER_ARN.exec(ref);
  const segments = arn?.[1] !== undefined ? arn[1].split("/") : ref.split(/[/:\\]+/);
  return segments.map((s) => s.trim().toLowerCase()).filter(Boolean);
}

/** For an ARN, the name's last segment without the 6-character random suffix (undefined when not applicable). */
function strippedLastSegment(secret: string): string | undefined {
  const arn = SECRETS_MANAGER_ARN.exec(secret.trim());
  if (arn?.[1] === undefined) return undefined;
  const last = arn[1].split("/").pop()?.trim().toLowerCase();
  if (!last) return undefined;
  const stripped = last.replace(AWS_SUFFIX, "");
  return stripped && stripped !== last ? stripped : undefined;
}

function slugMatches(apis: SecretLinkApi[], segments: Set<string>): SecretLinkApi[] {
  return apis.filter((api) =>
    [api.slug, ...api.aliases].some((name) => {
      const n = name.trim().toLowerCase();
      return n.length > 0 && segments.has(n);
    }),
  );
}

export function linkSecretToApis(secret: string, apis: SecretLinkApi[]): string[] {
  const secretForms = canonicalForms(secret);
  if (secretForms.length === 0) return [];
  const explicit = apis.filter((api) => api.explicitSecrets.some((entry) => explicitMatches(entry, secretForms)));
  if (explicit.length > 0) return unique(explicit.map((api) => api.id));

  const segments = new Set(secretSegments(secret));
  let linked = slugMatches(apis, segments);
  // The segment as written wins; only then try it without a Secrets Manager random suffix ("db-AbCdEf" → "db"),
  // so that a partial ARN whose name merely ends in six letters ("payments-webapp") keeps its own Api.
  const stripped = strippedLastSegment(secret);
  if (stripped !== undefined) {
    const last = secretSegments(secret).pop();
    const lastMatched = linked.some((api) => [api.slug, ...api.aliases].some((n) => n.trim().toLowerCase() === last));
    if (!lastMatched) {
      segments.add(stripped);
      linked = slugMatches(apis, segments);
    }
  }
  return unique(linked.map((api) => api.id));
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
