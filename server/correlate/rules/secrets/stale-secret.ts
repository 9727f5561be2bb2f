/**
 * stale-secret (DESIGN.md §3, "Vault events"): a secret linked to an Api and not rotated (successfully written or
 * rotated) for more than settings.staleSecretDays as of asOf. With no write/rotate in the audit data, the secret is
 * stale only when its earliest event seen is older than the threshold; otherwise its rotation is unknown (not
 * flagged). When the stored last rotation lies after asOf (evaluating old data), the last rotation at or before
 * asOf is read from the hourly rollups.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { DAY_MS, perApi, scopeSecrets } from "./common";

export const staleSecret: Rule = {
  id: "stale-secret",
  kind: "secret",
  description: "A secret linked to an Api has not been rotated for longer than the threshold (default 90 days).",
  async evaluate(ctx) {
    const secrets = (await scopeSecrets(ctx)).filter((s) => s.apiIds.length > 0 && s.firstSeenAt.getTime() <= ctx.asOf.getTime());
    const needHistory = secrets.filter((s) => s.lastRotatedAt && s.lastRotatedAt.getTime() > ctx.asOf.getTime()).map((s) => s.id);
    const history = new Map<string, Date>();
    if (needHistory.length) {
      const rows = await ctx.tx.$queryRaw<{ secretId: string; at: Date }[]>`
        SELECT "secretId", max("hourStart") AS at FROM secret_access_rollup
        WHERE "secretId" = ANY(${needHistory}::text[]) AND operation IN ('write', 'rotate') AND count > denied AND "hourStart" <= ${ctx.asOf}
        GROUP BY 1`;
      for (const r of rows) history.set(r.secretId, new Date(r.at));
    }
    const limitMs = ctx.settings.staleSecretDays * DAY_MS;
    const out: DerivedFinding[] = [];
    for (const s of secrets) {
      const rotated = s.lastRotatedAt && s.lastRotatedAt.getTime() <= ctx.asOf.getTime() ? s.lastRotatedAt : (history.get(s.id) ?? null);
      const since = rotated ?? s.firstSeenAt;
      const ageDays = Math.floor((ctx.asOf.getTime() - since.getTime()) / DAY_MS);
      if (ctx.asOf.getTime() - since.getTime() <= limitMs) continue;
      out.push(
        ...perApi(
          s,
          {
            ruleId: "stale-secret",
            kind: "secret",
            title: `Stale secret: ${s.displayName}`,
            description: rotated
              ? `${s.ref} was last rotated ${rotated.toISOString().slice(0, 10)}, ${ageDays} days before ${ctx.asOf.toISOString().slice(0, 10)} (threshold ${ctx.settings.staleSecretDays} days).`
              : `${s.ref} shows no write or rotation in the audit data since it was first seen ${s.firstSeenAt.toISOString().slice(0, 10)}, ${ageDays} days ago (threshold ${ctx.settings.staleSecretDays} days).`,
            severity: "medium",
            owaspCategory: "API8",
            cwe: 324,
            evidence: {
              secret: s.ref,
              source: s.source,
              lastRotatedAt: rotated?.toISOString() ?? null,
              firstSeenAt: s.firstSeenAt.toISOString(),
              ageDays,
              thresholdDays: ctx.settings.staleSecretDays,
            },
          },
          true,
        ),
      );
    }
    return out;
  },
};
