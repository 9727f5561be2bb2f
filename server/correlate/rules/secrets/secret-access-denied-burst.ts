/**
 * secret-access-denied-burst (DESIGN.md §3): ≥ settings.deniedBurstEvents permission-denied events on one secret
 * within settings.deniedBurstWindowMinutes, looked for in the settings.signalLookbackDays before asOf. Rollups are
 * hourly, so the window is a run of whole UTC hours (ceil(minutes / 60), at least one): a burst that straddles an
 * hour boundary with a one-hour window is only caught when one of its hours reaches the threshold alone.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { DAY_MS, HOUR_MS, perApi, scopeSecrets } from "./common";

export const secretAccessDeniedBurst: Rule = {
  id: "secret-access-denied-burst",
  kind: "secret",
  description: "At least 10 permission-denied events on one secret within an hour.",
  async evaluate(ctx) {
    const secrets = await scopeSecrets(ctx);
    if (secrets.length === 0) return [];
    const since = new Date(ctx.asOf.getTime() - ctx.settings.signalLookbackDays * DAY_MS);
    const rows = await ctx.tx.$queryRaw<{ secretId: string; hour: Date; denied: number; identities: string[] }[]>`
      SELECT "secretId", "hourStart" AS hour, sum(denied)::int AS denied, to_jsonb(array_agg(DISTINCT identity) FILTER (WHERE denied > 0)) AS identities
      FROM secret_access_rollup
      WHERE "secretId" = ANY(${secrets.map((s) => s.id)}::text[]) AND denied > 0 AND "hourStart" > ${since} AND "hourStart" <= ${ctx.asOf}
      GROUP BY 1, 2
      ORDER BY 1, 2`;
    const hours = Math.max(1, Math.ceil(ctx.settings.deniedBurstWindowMinutes / 60));
    const threshold = ctx.settings.deniedBurstEvents;
    const bySecret = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = bySecret.get(r.secretId);
      if (list) list.push(r);
      else bySecret.set(r.secretId, [r]);
    }
    const byId = new Map(secrets.map((s) => [s.id, s]));
    const out: DerivedFinding[] = [];
    for (const [secretId, list] of bySecret) {
      const s = byId.get(secretId);
      if (!s) continue;
      let best = { start: 0, denied: 0 };
      let bursts = 0;
      const identities = new Set<string>();
      let first: number | null = null;
      let last = 0;
      for (let i = 0; i < list.length; i++) {
        const start = new Date(list[i]!.hour).getTime();
        let denied = 0;
        const ids: string[] = [];
        for (let j = i; j < list.length && new Date(list[j]!.hour).getTime() < start + hours * HOUR_MS; j++) {
          denied += list[j]!.denied;
          ids.push(...(list[j]!.identities ?? []));
        }
        if (denied >= threshold) {
          bursts += 1;
          for (const id of ids) identities.add(id);
          first ??= start;
          last = start + hours * HOUR_MS;
          if (denied > best.denied) best = { start, denied };
        }
      }
      if (bursts === 0) continue;
      out.push(
        ...perApi(s, {
          ruleId: "secret-access-denied-burst",
          kind: "secret",
          title: `Denied-access burst on secret ${s.displayName}`,
          description: `${best.denied} permission-denied events on ${s.ref} within ${hours === 1 ? "an hour" : `${hours} hours`} from ${new Date(best.start).toISOString()} (threshold ${threshold}). Someone is probing for this secret, or a workload lost its policy.`,
          severity: "high",
          owaspCategory: "API2",
          cwe: 285,
          evidence: { secret: s.ref, worstWindowStart: new Date(best.start).toISOString(), worstWindowDenied: best.denied, burstWindows: bursts, windowHours: hours, identities: [...identities].slice(0, 20) },
          observedFrom: new Date(first ?? best.start),
          observedTo: new Date(Math.min(last, ctx.asOf.getTime())),
        }),
      );
    }
    return out;
  },
};
