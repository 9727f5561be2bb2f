/**
 * over-shared-secret (DESIGN.md §3): more than settings.overSharedIdentities distinct identities read the secret
 * (successfully) within settings.overSharedWindowDays before asOf. Events without an identity ("unknown") do not
 * count as an identity. Read from the hourly rollups, so the window is whole hours.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { DAY_MS, perApi, scopeSecrets } from "./common";

export const overSharedSecret: Rule = {
  id: "over-shared-secret",
  kind: "secret",
  description: "More than 5 distinct identities read the secret within 30 days.",
  async evaluate(ctx) {
    const secrets = await scopeSecrets(ctx);
    if (secrets.length === 0) return [];
    const since = new Date(ctx.asOf.getTime() - ctx.settings.overSharedWindowDays * DAY_MS);
    const rows = await ctx.tx.$queryRaw<{ secretId: string; identities: string[]; reads: number; first: Date; last: Date }[]>`
      SELECT "secretId", to_jsonb(array_agg(DISTINCT identity ORDER BY identity)) AS identities, sum(count - denied)::int AS reads,
        min("hourStart") AS first, max("hourStart") AS last
      FROM secret_access_rollup
      WHERE "secretId" = ANY(${secrets.map((s) => s.id)}::text[]) AND operation = 'read' AND count > denied AND identity <> 'unknown'
        AND "hourStart" > ${since} AND "hourStart" <= ${ctx.asOf}
      GROUP BY 1
      HAVING count(DISTINCT identity) > ${Math.floor(ctx.settings.overSharedIdentities)}`;
    const byId = new Map(secrets.map((s) => [s.id, s]));
    const out: DerivedFinding[] = [];
    for (const r of rows) {
      const s = byId.get(r.secretId);
      if (!s) continue;
      out.push(
        ...perApi(s, {
          ruleId: "over-shared-secret",
          kind: "secret",
          title: `Over-shared secret: ${s.displayName} (${r.identities.length} identities)`,
          description: `${r.identities.length} distinct identities read ${s.ref} in the ${ctx.settings.overSharedWindowDays} days before ${ctx.asOf.toISOString().slice(0, 10)} (threshold: more than ${ctx.settings.overSharedIdentities}). Give each workload its own secret or narrow the policy.`,
          severity: "medium",
          owaspCategory: "API8",
          cwe: 732,
          evidence: { secret: s.ref, identities: r.identities.slice(0, 25), identityCount: r.identities.length, reads: r.reads, windowDays: ctx.settings.overSharedWindowDays },
          observedFrom: new Date(r.first),
          observedTo: new Date(r.last),
        }),
      );
    }
    return out;
  },
};
