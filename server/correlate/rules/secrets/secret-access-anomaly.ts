/**
 * secret-access-anomaly (DESIGN.md §3, "Vault events"): privileged-access analytics per vault identity. An identity is
 * a vault (the secret's source: vault, cloudtrail, cyberark) × the identity its parser took (Vault entity_id else
 * display_name, CloudTrail userIdentity.arn, CyberArk Issuer); events without one ("unknown") are nobody's. Each UTC
 * day D of the look-back (settings.signalLookbackDays before asOf) on which the identity read a secret is compared with
 * the identity's baseline: its previous accessAnomalyBaselineDays UTC days (D − N … D − 1), all its secrets of that
 * vault. A baseline with fewer than accessAnomalyMinHistoryDays days with events is too little history: no finding.
 * Kinds (in the evidence):
 * - first-access: a successful read on D of a secret linked to a production Api that the identity did not read in its
 *   baseline (one finding per secret, on its production Apis only);
 * - new-network: a successful read on D from a network (IPv4 /24, IPv6 /64, else the source name: secret_access_network)
 *   outside every network the identity used in its baseline. Judged only when the baseline knows networks on at least
 *   accessAnomalyMinHistoryDays days and none of them overflowed the persister's per-day cap ("*");
 * - new-hour: a successful read on D in a UTC hour of day in which the identity had no event in its baseline;
 * - volume-spike: successful reads on D > accessAnomalySpikeMultiplier × the median of the identity's daily reads
 *   over its baseline days with events, and ≥ accessAnomalySpikeMinReads.
 * "Used" (baseline hours and networks) counts every event of the identity, denied or not; the day under test counts
 * successful reads only. Reads come from the hourly rollups (hours before asOf) and the daily network rows (days
 * starting before asOf: a network row cannot tell which hour of its day it was seen).
 *
 * Attribution: an anomaly concerns the secrets read that way on D; a finding per Api linked to those secrets (in
 * scope), or one without an Api for unlinked secrets. Subject = kind + vault + identity (+ the secret for
 * first-access), so one finding per Api keeps the latest anomalous day and counts the others. Severity medium, high
 * when the Api holds sensitive data (PII, financial, credentials, health).
 */
import { Prisma } from "@/generated/prisma/client";
import type { DerivedFinding, Rule } from "../../rule";
import { DAY_MS, scopeSecrets, type SecretRow } from "./common";

export const ACCESS_ANOMALY_KINDS = ["first-access", "new-network", "new-hour", "volume-spike"] as const;
export type AccessAnomalyKind = (typeof ACCESS_ANOMALY_KINDS)[number];

const SENSITIVE = ["pii", "financial", "credentials", "health"];
const OVERFLOW_NETWORK = "*";
const MAX_LISTED = 10;

interface SecretDay {
  reads: number;
  /** Successful reads per UTC hour of day / per network. */
  readHours: Map<number, number>;
  readNetworks: Map<string, number>;
}

interface Day {
  events: number;
  reads: number;
  hours: Set<number>;
  networks: Set<string>;
  secrets: Map<string, SecretDay>;
}

interface Anomaly {
  kind: AccessAnomalyKind;
  day: number;
  /** Secrets read that way on the day, with their successful reads that way. */
  secrets: Map<string, number>;
  /** What was new: networks or hours (new-network, new-hour). */
  novel: (string | number)[];
  reads: number;
  baseline: { days: number; daysWithEvents: number; medianReads: number; hours: number[]; networks: string[]; networkDays: number };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dayIso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const hourText = (h: number) => `${String(h).padStart(2, "0")}:00–${String(h).padStart(2, "0")}:59 UTC`;

function secretDay(day: Day, secretId: string): SecretDay {
  let s = day.secrets.get(secretId);
  if (!s) {
    s = { reads: 0, readHours: new Map(), readNetworks: new Map() };
    day.secrets.set(secretId, s);
  }
  return s;
}

/** The anomalies of one identity on each day of the look-back (days: its UTC days, by start time). */
export function identityAnomalies(
  days: Map<number, Day>,
  window: { firstDay: number; lastDay: number },
  settings: { baselineDays: number; minHistoryDays: number; spikeMultiplier: number; spikeMinReads: number },
  productionSecret: (secretId: string) => boolean,
): Anomaly[] {
  const out: Anomaly[] = [];
  for (const [d, day] of [...days].sort((a, b) => a[0] - b[0])) {
    if (d < window.firstDay || d > window.lastDay || day.reads <= 0) continue;
    const history: Day[] = [];
    for (let i = 1; i <= settings.baselineDays; i++) {
      const h = days.get(d - i * DAY_MS);
      if (h && h.events > 0) history.push(h);
    }
    if (history.length < settings.minHistoryDays) continue;
    const hours = new Set(history.flatMap((h) => [...h.hours]));
    const networks = new Set(history.flatMap((h) => [...h.networks]));
    const networkDays = history.filter((h) => h.networks.size > 0).length;
    const readBefore = new Set(history.flatMap((h) => [...h.secrets].filter(([, s]) => s.reads > 0).map(([id]) => id)));
    const medianReads = median(history.map((h) => h.reads));
    const baseline = {
      days: settings.baselineDays,
      daysWithEvents: history.length,
      medianReads,
      hours: [...hours].sort((a, b) => a - b),
      networks: [...networks].sort(),
      networkDays,
    };
    /** Secret → its reads counted by `count`, for the secrets with any. */
    const reads = (count: (s: SecretDay) => number) => new Map([...day.secrets].map(([id, s]) => [id, count(s)] as const).filter(([, n]) => n > 0));
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

    for (const [id, s] of day.secrets) {
      if (s.reads > 0 && !readBefore.has(id) && productionSecret(id)) {
        out.push({ kind: "first-access", day: d, secrets: new Map([[id, s.reads]]), novel: [], reads: s.reads, baseline });
      }
    }
    if (networkDays >= settings.minHistoryDays && !networks.has(OVERFLOW_NETWORK)) {
      const fresh = [...new Set([...day.secrets.values()].flatMap((s) => [...s.readNetworks.keys()]))].filter((n) => n !== OVERFLOW_NETWORK && !networks.has(n)).sort();
      if (fresh.length) {
        const secrets = reads((s) => fresh.reduce((sum, n) => sum + (s.readNetworks.get(n) ?? 0), 0));
        out.push({ kind: "new-network", day: d, secrets, novel: fresh, reads: total(secrets), baseline });
      }
    }
    const freshHours = [...new Set([...day.secrets.values()].flatMap((s) => [...s.readHours.keys()]))].filter((h) => !hours.has(h)).sort((a, b) => a - b);
    if (freshHours.length) {
      const secrets = reads((s) => freshHours.reduce((sum, h) => sum + (s.readHours.get(h) ?? 0), 0));
      out.push({ kind: "new-hour", day: d, secrets, novel: freshHours, reads: total(secrets), baseline });
    }
    if (day.reads > settings.spikeMultiplier * medianReads && day.reads >= settings.spikeMinReads) {
      out.push({ kind: "volume-spike", day: d, secrets: reads((s) => s.reads), novel: [], reads: day.reads, baseline });
    }
  }
  return out;
}

function describe(kind: AccessAnomalyKind, who: string, a: Anomaly, secret: string, spike: { spikeMultiplier: number; spikeMinReads: number }): string {
  const on = dayIso(a.day);
  const b = a.baseline;
  const history = `Baseline: the ${b.days} days before ${on}, ${b.daysWithEvents} of them with events`;
  switch (kind) {
    case "first-access":
      return `First access: ${who} read ${secret} on ${on} (${a.reads} read(s)) and had not read it in the ${b.days} days before. The secret belongs to a production Api. ${history}.`;
    case "new-network":
      return `New network: on ${on} ${who} read ${secret} from ${a.novel.join(", ")}, outside every network it used before (${b.networks.slice(0, MAX_LISTED).join(", ")}${b.networks.length > MAX_LISTED ? ", …" : ""}). ${history}, ${b.networkDays} with known networks.`;
    case "new-hour":
      return `New hour: on ${on} ${who} read ${secret} during ${a.novel.map((h) => hourText(Number(h))).join(", ")}, an hour of day it never used before (it used ${b.hours.map((h) => String(h).padStart(2, "0")).join(", ")} h UTC). ${history}.`;
    case "volume-spike":
      return `Volume spike: ${who} made ${a.reads} successful reads on ${on}, ${b.medianReads > 0 ? `${(a.reads / b.medianReads).toFixed(1)}×` : "far above"} its daily median of ${b.medianReads} (threshold: more than ${spike.spikeMultiplier}× and at least ${spike.spikeMinReads} reads). ${history}.`;
  }
}

const TITLES: Record<AccessAnomalyKind, string> = {
  "first-access": "first access",
  "new-network": "new network",
  "new-hour": "new hour",
  "volume-spike": "volume spike",
};

export const secretAccessAnomaly: Rule = {
  id: "secret-access-anomaly",
  kind: "secret",
  description: "A vault identity accessed secrets unlike its previous 14 days: first read of a production Api's secret, a new network, a new hour of day or a volume spike.",
  async evaluate(ctx) {
    const secrets = await scopeSecrets(ctx);
    if (secrets.length === 0) return [];
    const s = ctx.settings;
    const settings = {
      baselineDays: Math.max(1, Math.round(s.accessAnomalyBaselineDays)),
      minHistoryDays: s.accessAnomalyMinHistoryDays,
      spikeMultiplier: s.accessAnomalySpikeMultiplier,
      spikeMinReads: s.accessAnomalySpikeMinReads,
    };
    const asOf = ctx.asOf.getTime();
    const firstDay = Math.floor((asOf - s.signalLookbackDays * DAY_MS) / DAY_MS) * DAY_MS;
    const lastDay = Math.floor((asOf - 1) / DAY_MS) * DAY_MS;
    const from = new Date(firstDay - settings.baselineDays * DAY_MS);

    // The identities (vault × identity) to judge: in a scoped run, those that read an in-scope secret in the look-back
    // (a hashed semi-join: a list compared row by row costs rows × list); in a full run, every identity.
    const scoped =
      ctx.apiIds === null
        ? Prisma.sql`TRUE`
        : Prisma.sql`(s.source, x.identity) IN (
            SELECT s2.source, r2.identity FROM secret_access_rollup r2 JOIN secret s2 ON s2.id = r2."secretId"
            WHERE r2."secretId" IN (SELECT unnest(${secrets.map((x) => x.id)}::text[])) AND r2.operation = 'read' AND r2.count > r2.denied
              AND r2."hourStart" >= ${new Date(firstDay)} AND r2."hourStart" < ${ctx.asOf})`;
    const dayRows = await ctx.tx.$queryRaw<{ source: string; identity: string; secretId: string; day: Date; events: number; reads: number; hours: number[]; readHours: [number, number][] }[]>`
      SELECT s.source, x.identity, x."secretId", date_trunc('day', x."hourStart") AS day, sum(x.count)::int AS events,
        coalesce(sum(x.count - x.denied) FILTER (WHERE x.operation = 'read'), 0)::int AS reads,
        to_jsonb(array_agg(DISTINCT extract(hour FROM x."hourStart")::int)) AS hours,
        coalesce(jsonb_agg(jsonb_build_array(extract(hour FROM x."hourStart")::int, x.count - x.denied)) FILTER (WHERE x.operation = 'read' AND x.count > x.denied), '[]'::jsonb) AS "readHours"
      FROM secret_access_rollup x
      JOIN secret s ON s.id = x."secretId"
      WHERE x."hourStart" >= ${from} AND x."hourStart" < ${ctx.asOf} AND x.identity <> 'unknown' AND ${scoped}
      GROUP BY 1, 2, 3, 4`;
    if (dayRows.length === 0) return [];
    const networkRows = await ctx.tx.$queryRaw<{ source: string; identity: string; secretId: string; day: Date; network: string; reads: number }[]>`
      SELECT s.source, x.identity, x."secretId", x.day, x.network, x.reads
      FROM secret_access_network x
      JOIN secret s ON s.id = x."secretId"
      WHERE x.day >= ${from} AND x.day < ${ctx.asOf} AND x.identity <> 'unknown' AND ${scoped}`;

    // Per identity: its days.
    const byIdentity = new Map<string, { source: string; identity: string; days: Map<number, Day> }>();
    const dayOf = (source: string, identity: string, at: Date) => {
      const key = `${source}\u0000${identity}`;
      let entry = byIdentity.get(key);
      if (!entry) {
        entry = { source, identity, days: new Map() };
        byIdentity.set(key, entry);
      }
      const t = new Date(at).getTime();
      let day = entry.days.get(t);
      if (!day) {
        day = { events: 0, reads: 0, hours: new Set(), networks: new Set(), secrets: new Map() };
        entry.days.set(t, day);
      }
      return day;
    };
    for (const r of dayRows) {
      const day = dayOf(r.source, r.identity, r.day);
      day.events += r.events;
      day.reads += r.reads;
      for (const h of r.hours) day.hours.add(h);
      const sd = secretDay(day, r.secretId);
      sd.reads += r.reads;
      for (const [h, n] of r.readHours) sd.readHours.set(h, (sd.readHours.get(h) ?? 0) + n);
    }
    for (const r of networkRows) {
      const day = dayOf(r.source, r.identity, r.day);
      day.networks.add(r.network);
      if (r.reads > 0) {
        const sd = secretDay(day, r.secretId);
        sd.readNetworks.set(r.network, (sd.readNetworks.get(r.network) ?? 0) + r.reads);
      }
    }

    // The Apis of the secrets in scope: production and sensitivity decide first-access and severity.
    const byId = new Map(secrets.map((x) => [x.id, x]));
    const apiRows = await ctx.tx.api.findMany({
      where: { id: { in: [...new Set(secrets.flatMap((x) => x.apiIds))] } },
      select: { id: true, lifecycle: true, dataClasses: true },
    });
    const apis = new Map(apiRows.map((a) => [a.id, a]));
    const productionApis = (secret: SecretRow) => secret.apiIds.filter((id) => apis.get(id)?.lifecycle === "production");
    const productionSecret = (id: string) => {
      const secret = byId.get(id);
      return secret !== undefined && productionApis(secret).length > 0;
    };

    // Findings: one per kind × identity (× secret for first-access) × Api; the latest anomalous day wins.
    const found = new Map<string, { finding: DerivedFinding; days: Set<number>; first: number; last: number }>();
    for (const { source, identity, days } of byIdentity.values()) {
      for (const a of identityAnomalies(days, { firstDay, lastDay }, settings, productionSecret)) {
        // Api → the secrets of this anomaly linked to it (null: unlinked secrets).
        const targets = new Map<string | null, SecretRow[]>();
        for (const id of a.secrets.keys()) {
          const secret = byId.get(id);
          if (!secret) continue;
          const apiIds = a.kind === "first-access" ? productionApis(secret) : secret.apiIds.length ? secret.apiIds : [null];
          for (const apiId of apiIds) targets.set(apiId, [...(targets.get(apiId) ?? []), secret]);
        }
        for (const [apiId, list] of targets) {
          list.sort((x, y) => (a.secrets.get(y.id) ?? 0) - (a.secrets.get(x.id) ?? 0) || x.ref.localeCompare(y.ref));
          const main = list[0]!;
          const subject = `${a.kind}:${source}:${identity}${a.kind === "first-access" ? `:${main.ref}` : ""}`;
          const key = `${apiId ?? ""}\u0000${subject}`;
          const api = apiId ? apis.get(apiId) : undefined;
          const sensitive = (api?.dataClasses ?? []).filter((c) => SENSITIVE.includes(c));
          const description = describe(a.kind, identity, a, main.ref, settings);
          const finding: DerivedFinding = {
            ruleId: "secret-access-anomaly",
            kind: "secret",
            apiId,
            subject,
            title: `Secret access anomaly (${TITLES[a.kind]}): ${identity} on ${main.displayName}`,
            description: `${description}${sensitive.length ? ` The Api holds sensitive data (${sensitive.join(", ")}).` : ""} Confirm with the identity's owner that this access was expected; if not, revoke its token and rotate the secret.`,
            severity: sensitive.length ? "high" : "medium",
            owaspCategory: "API2",
            cwe: 284,
            evidence: {
              kind: a.kind,
              identity,
              vault: source,
              secret: main.ref,
              secrets: list.slice(0, MAX_LISTED).map((x) => ({ ref: x.ref, reads: a.secrets.get(x.id) ?? 0 })),
              day: dayIso(a.day),
              reads: a.reads,
              ...(a.kind === "new-network" ? { newNetworks: a.novel } : {}),
              ...(a.kind === "new-hour" ? { newHoursUtc: a.novel } : {}),
              baseline: {
                days: a.baseline.days,
                daysWithEvents: a.baseline.daysWithEvents,
                medianDailyReads: a.baseline.medianReads,
                ...(a.kind === "new-hour" ? { hoursUtc: a.baseline.hours } : {}),
                ...(a.kind === "new-network" ? { networks: a.baseline.networks.slice(0, 50), networkDays: a.baseline.networkDays } : {}),
              },
              thresholds: {
                baselineDays: settings.baselineDays,
                minHistoryDays: settings.minHistoryDays,
                ...(a.kind === "volume-spike" ? { spikeMultiplier: settings.spikeMultiplier, spikeMinReads: settings.spikeMinReads } : {}),
              },
            },
          };
          const entry = found.get(key);
          if (!entry) found.set(key, { finding, days: new Set([a.day]), first: a.day, last: a.day });
          else {
            entry.days.add(a.day);
            entry.first = Math.min(entry.first, a.day);
            if (a.day >= entry.last) {
              entry.finding = finding;
              entry.last = a.day;
            }
          }
        }
      }
    }
    return [...found.values()].map(({ finding, days, first, last }) => ({
      ...finding,
      evidence: { ...(finding.evidence as Record<string, unknown>), anomalousDays: days.size } as DerivedFinding["evidence"],
      observedFrom: new Date(first),
      observedTo: new Date(Math.min(last + DAY_MS, asOf)),
    }));
  },
};
