/**
 * What the secret rules share: the secrets in scope (memoised per evaluation) and how a secret's finding is
 * attributed. A secret linked to Apis gives one finding per linked Api in scope (subject = the secret reference);
 * an unlinked secret gives one finding with no Api (visible as unmapped), evaluated on every run but resolved only
 * by a full (all-Api) evaluation.
 */
import type { DerivedFinding, RuleContext } from "../../rule";

export interface SecretRow {
  id: string;
  ref: string;
  displayName: string;
  source: string;
  firstSeenAt: Date;
  lastEventAt: Date;
  lastRotatedAt: Date | null;
  apiIds: string[];
}

const cache = new WeakMap<RuleContext, Promise<SecretRow[]>>();

export function scopeSecrets(ctx: RuleContext): Promise<SecretRow[]> {
  let p = cache.get(ctx);
  if (!p) {
    const inScope = ctx.apiIds === null ? null : new Set(ctx.apiIds);
    p = ctx.tx.secret
      .findMany({
        where: inScope === null ? {} : { OR: [{ apiLinks: { some: { apiId: { in: ctx.apiIds ?? [] } } } }, { apiLinks: { none: {} } }] },
        select: { id: true, ref: true, displayName: true, source: true, firstSeenAt: true, lastEventAt: true, lastRotatedAt: true, apiLinks: { select: { apiId: true } } },
        orderBy: { id: "asc" },
      })
      .then((rows) =>
        rows.map(({ apiLinks, ...s }) => ({ ...s, apiIds: apiLinks.map((l) => l.apiId).filter((id) => inScope === null || inScope.has(id)).sort() })),
      );
    cache.set(ctx, p);
  }
  return p;
}

/** One derived finding per linked Api in scope, or one without an Api for an unlinked secret. */
export function perApi(secret: SecretRow, finding: Omit<DerivedFinding, "apiId" | "subject">, linkedOnly = false): DerivedFinding[] {
  if (secret.apiIds.length === 0) return linkedOnly ? [] : [{ ...finding, apiId: null, subject: secret.ref }];
  return secret.apiIds.map((apiId) => ({ ...finding, apiId, subject: secret.ref }));
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
