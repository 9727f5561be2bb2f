/**
 * cleartext-transport (DESIGN.md §3): an http:// server URL, or plain-HTTP traffic, to a non-local host. One
 * finding per Api carrying both kinds of evidence:
 * - spec: the Api's base URL is http:// on a host that is not loopback / *.localhost;
 * - traffic: TrafficEndpointHour.plainHttp > 0 for the Api on a non-local host in an hour that overlaps the signal
 *   look-back window (settings.signalLookbackDays, measured back from asOf).
 * This rule owns the id for both parts, so that one writer resolves and reopens it.
 */
import { Prisma } from "@/generated/prisma/client";
import type { DerivedFinding, Rule } from "../../rule";
import { isCleartextBaseUrl, isLocalHost, scopeApis } from "./common";

const DAY_MS = 86_400_000;

interface TrafficRow {
  apiId: string;
  host: string | null;
  requests: number;
  first: Date;
  last: Date;
}

export const cleartextTransport: Rule = {
  id: "cleartext-transport",
  kind: "posture",
  description: "An Api is served over plain HTTP to a non-local host: an http:// server URL or plain-HTTP traffic.",
  async evaluate(ctx) {
    const apis = await scopeApis(ctx);
    const since = new Date(ctx.asOf.getTime() - ctx.settings.signalLookbackDays * DAY_MS);
    const scope = ctx.apiIds === null ? Prisma.sql`"apiId" IS NOT NULL` : Prisma.sql`"apiId" = ANY(${ctx.apiIds}::text[])`;
    const traffic = await ctx.tx.$queryRaw<TrafficRow[]>`
      SELECT "apiId", host, sum("plainHttp")::int AS requests, min("hourStart") AS first, max("hourStart") AS last
      FROM traffic_endpoint_hour
      WHERE ${scope} AND "plainHttp" > 0 AND "hourStart" >= date_trunc('hour', ${since.toISOString()}::timestamp) AND "hourStart" <= ${ctx.asOf}
      GROUP BY 1, 2`;
    const byApi = new Map<string, TrafficRow[]>();
    for (const row of traffic) {
      if (isLocalHost(row.host ?? "unknown-host")) continue;
      const list = byApi.get(row.apiId);
      if (list) list.push(row);
      else byApi.set(row.apiId, [row]);
    }
    const out: DerivedFinding[] = [];
    for (const api of apis) {
      const spec = isCleartextBaseUrl(api);
      const rows = byApi.get(api.id) ?? [];
      if (!spec && rows.length === 0) continue;
      const requests = rows.reduce((n, r) => n + r.requests, 0);
      const first = rows.length ? new Date(Math.min(...rows.map((r) => new Date(r.first).getTime()))) : undefined;
      const last = rows.length ? new Date(Math.max(...rows.map((r) => new Date(r.last).getTime()))) : undefined;
      const parts = [spec ? `its server URL is ${api.baseUrl}` : null, requests ? `${requests} plain-HTTP requests in the last ${ctx.settings.signalLookbackDays} days` : null].filter(Boolean);
      out.push({
        ruleId: "cleartext-transport",
        kind: "posture",
        apiId: api.id,
        subject: "",
        title: `Cleartext transport: ${api.name}`,
        description: `${api.name} is reachable over plain HTTP: ${parts.join("; ")}. Serve it over HTTPS only and redirect or refuse http://.`,
        severity: "high",
        owaspCategory: "API8",
        cwe: 319,
        evidence: {
          ...(spec ? { serverUrl: api.baseUrl } : {}),
          ...(rows.length
            ? { plainHttpRequests: requests, hosts: [...new Set(rows.map((r) => r.host).filter(Boolean))], windowDays: ctx.settings.signalLookbackDays }
            : {}),
        },
        ...(first ? { observedFrom: first } : {}),
        ...(last ? { observedTo: last } : {}),
      });
    }
    return out;
  },
};
