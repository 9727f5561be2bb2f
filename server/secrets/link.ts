/**
 * Secret ↔ Api links (DESIGN.md §3): an explicit mapping (Api.explicitSecrets: Backstage annotation, CSV column)
 * wins and is stored with via = "explicit"; otherwise every Api whose slug or alias is a segment of the reference,
 * via = "slug". The matching itself is server/domain/secret-link.ts; this module keeps SecretApiLink in step with
 * it for a set of secrets (or all of them), writing only the difference.
 *
 * Runs at vault ingest (the secrets of the file) and at every correlation (all secrets), so that a secret seen
 * before its Api was inventoried links once the Api arrives.
 */
import type { Tx } from "@/server/db/types";
import { linkSecretToApis, type SecretLinkApi, secretSegments } from "@/server/domain/secret-link";

export interface LinkOutcome {
  /** Apis linked to the secrets after the run (all of them, changed or not). */
  linkedApiIds: string[];
  /** Apis that gained or lost a link. */
  changedApiIds: string[];
  /** Links written (new, or an existing link whose "via" changed). */
  added: number;
  removed: number;
}

interface Desired {
  apiId: string;
  via: "explicit" | "slug";
}

/** Apis indexed by lower-case slug and alias, plus those with explicit mappings (always candidates). */
class ApiIndex {
  private byName = new Map<string, SecretLinkApi[]>();
  private explicit: SecretLinkApi[] = [];

  constructor(apis: SecretLinkApi[]) {
    for (const api of apis) {
      if (api.explicitSecrets.length) this.explicit.push(api);
      for (const name of new Set([api.slug, ...api.aliases].map((n) => n.trim().toLowerCase()).filter(Boolean))) {
        const list = this.byName.get(name);
        if (list) list.push(api);
        else this.byName.set(name, [api]);
      }
    }
  }

  /** Every Api that could match `ref` (a superset); linkSecretToApis decides. */
  candidates(ref: string): SecretLinkApi[] {
    const out = new Set<SecretLinkApi>();
    for (const seg of secretSegments(ref)) {
      for (const name of [seg, seg.replace(/-[a-z0-9]{6}$/, "")]) for (const api of this.byName.get(name) ?? []) out.add(api);
    }
    return [...out];
  }

  link(ref: string): Desired[] {
    const noNames = (a: SecretLinkApi): SecretLinkApi => ({ ...a, slug: "", aliases: [] });
    const explicit = linkSecretToApis(ref, this.explicit.map(noNames));
    if (explicit.length) return explicit.map((apiId) => ({ apiId, via: "explicit" }));
    return linkSecretToApis(ref, this.candidates(ref)).map((apiId) => ({ apiId, via: "slug" }));
  }
}

/** Brings the links of the given secrets (null = every secret) in line with the current Apis. */
export async function linkSecrets(tx: Tx, secretIds: string[] | null): Promise<LinkOutcome> {
  const secrets = await tx.secret.findMany({
    where: secretIds === null ? {} : { id: { in: secretIds } },
    select: { id: true, ref: true, apiLinks: { select: { apiId: true, via: true } } },
  });
  if (secrets.length === 0) return { linkedApiIds: [], changedApiIds: [], added: 0, removed: 0 };
  const apis = await tx.api.findMany({ select: { id: true, slug: true, aliases: true, explicitSecrets: true } });
  const index = new ApiIndex(apis);

  const adds: { secretId: string; apiId: string; via: string }[] = [];
  const removes: { secretId: string; apiId: string }[] = [];
  const linked = new Set<string>();
  const changed = new Set<string>();
  for (const secret of secrets) {
    const desired = index.link(secret.ref);
    const current = new Map(secret.apiLinks.map((l) => [l.apiId, l.via]));
    for (const d of desired) {
      linked.add(d.apiId);
      const via = current.get(d.apiId);
      if (via === d.via) continue;
      adds.push({ secretId: secret.id, apiId: d.apiId, via: d.via });
      changed.add(d.apiId);
    }
    const wanted = new Set(desired.map((d) => d.apiId));
    for (const apiId of current.keys()) {
      if (wanted.has(apiId)) continue;
      removes.push({ secretId: secret.id, apiId });
      changed.add(apiId);
    }
  }
  if (removes.length) {
    await tx.$executeRaw`
      DELETE FROM secret_api_link l USING unnest(${removes.map((r) => r.secretId)}::text[], ${removes.map((r) => r.apiId)}::text[]) AS u(secret_id, api_id)
      WHERE l."secretId" = u.secret_id AND l."apiId" = u.api_id`;
  }
  if (adds.length) {
    await tx.$executeRaw`
      INSERT INTO secret_api_link ("secretId", "apiId", via)
      SELECT * FROM unnest(${adds.map((a) => a.secretId)}::text[], ${adds.map((a) => a.apiId)}::text[], ${adds.map((a) => a.via)}::text[])
      ON CONFLICT ("secretId", "apiId") DO UPDATE SET via = EXCLUDED.via`;
  }
  return { linkedApiIds: [...linked], changedApiIds: [...changed], added: adds.length, removed: removes.length };
}

/**
 * Re-links only what the given Apis can change: secrets currently linked to them and secrets whose reference one of
 * them could match (slug/alias segment or explicit mapping). Cheap enough to run after every ingest.
 */
export async function linkSecretsForApis(tx: Tx, apiIds: string[]): Promise<LinkOutcome> {
  const none: LinkOutcome = { linkedApiIds: [], changedApiIds: [], added: 0, removed: 0 };
  if (apiIds.length === 0 || (await tx.secret.count()) === 0) return none;
  const apis = await tx.api.findMany({ where: { id: { in: apiIds } }, select: { id: true, slug: true, aliases: true, explicitSecrets: true } });
  const index = new ApiIndex(apis);
  const [secrets, linked] = await Promise.all([
    tx.secret.findMany({ select: { id: true, ref: true } }),
    tx.secretApiLink.findMany({ where: { apiId: { in: apiIds } }, select: { secretId: true } }),
  ]);
  const ids = new Set(linked.map((l) => l.secretId));
  for (const s of secrets) if (!ids.has(s.id) && index.link(s.ref).length > 0) ids.add(s.id);
  return ids.size ? linkSecrets(tx, [...ids]) : none;
}
