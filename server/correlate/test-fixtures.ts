// Test helpers for the correlation rules and engine: Apis, endpoints and secret rollups written directly.
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db/client";
import type { Rule, RuleContext } from "./rule";
import { DEFAULT_RULE_SETTINGS, type RuleSettings } from "./settings";

export interface EndpointSpec {
  method?: string;
  path: string;
  securityMode?: "public" | "undeclared" | "required";
  schemes?: { name: string; kind: string; in?: string }[];
  summary?: string | null;
  hasDescription?: boolean;
  hasSuccessSchema?: boolean;
  hasExamples?: boolean;
  fields?: { path: string; dataClass: string }[];
  tags?: string[];
  observed?: boolean;
  documented?: boolean;
}

export async function makeApi(
  db: Db,
  slug: string,
  data: Partial<Prisma.ApiUncheckedCreateInput> = {},
  endpoints: EndpointSpec[] = [],
): Promise<{ id: string; endpointIds: string[] }> {
  const api = await db.api.create({ data: { slug, name: slug, aliases: [], baseUrl: `https://${slug}.example.com`, host: `${slug}.example.com`, version: "1", ...data } });
  const endpointIds: string[] = [];
  for (const e of endpoints) {
    const row = await db.endpoint.create({
      data: {
        apiId: api.id,
        method: e.method ?? "GET",
        path: e.path,
        summary: e.summary === undefined ? "A summary" : e.summary,
        hasDescription: e.hasDescription ?? false,
        tags: e.tags ?? [],
        securityMode: e.securityMode ?? "required",
        securitySchemes: (e.schemes ?? (e.securityMode === undefined || e.securityMode === "required" ? [{ name: "jwt", kind: "bearer" }] : [])) as Prisma.InputJsonValue,
        authKinds: [...new Set((e.schemes ?? []).map((s) => s.kind))],
        hasSuccessSchema: e.hasSuccessSchema ?? true,
        hasExamples: e.hasExamples ?? true,
        dataClasses: [...new Set((e.fields ?? []).map((f) => f.dataClass))],
        responseFields: (e.fields ?? []) as Prisma.InputJsonValue,
        documented: e.documented ?? true,
        observed: e.observed ?? false,
      },
    });
    endpointIds.push(row.id);
  }
  return { id: api.id, endpointIds };
}

export async function makeTeam(db: Db, slug: string): Promise<string> {
  return (await db.team.create({ data: { slug, name: slug } })).id;
}

export async function makeSecret(
  db: Db,
  ref: string,
  data: { firstSeenAt: Date; lastRotatedAt?: Date | null; apiIds?: string[]; source?: string },
): Promise<string> {
  const s = await db.secret.create({
    data: { ref, source: data.source ?? "vault", displayName: ref, firstSeenAt: data.firstSeenAt, lastEventAt: data.firstSeenAt, lastRotatedAt: data.lastRotatedAt ?? null },
  });
  for (const apiId of data.apiIds ?? []) await db.secretApiLink.create({ data: { secretId: s.id, apiId, via: "explicit" } });
  return s.id;
}

export async function addRollup(
  db: Db,
  secretId: string,
  row: { hourStart: Date; identity: string; operation?: string; count?: number; denied?: number },
): Promise<void> {
  await db.secretAccessRollup.create({
    data: {
      secretId,
      hourStart: row.hourStart,
      identity: row.identity,
      operation: row.operation ?? "read",
      count: row.count ?? 1,
      denied: row.denied ?? 0,
      sourceAddresses: [],
      ingestRunId: randomUUID(),
    },
  });
}

/** A secret_access_network row (server/secrets/persist.ts): one identity's events from one network on one UTC day. */
export async function addNetwork(db: Db, secretId: string, row: { day: Date; identity: string; network: string; events?: number; reads?: number }): Promise<void> {
  const day = new Date(Math.floor(row.day.getTime() / 86_400_000) * 86_400_000);
  const events = row.events ?? 1;
  const reads = row.reads ?? events;
  await db.secretAccessNetwork.upsert({
    where: { secretId_identity_day_network: { secretId, identity: row.identity, day, network: row.network } },
    create: { secretId, identity: row.identity, day, network: row.network, events, reads, ingestRunId: randomUUID() },
    update: { events: { increment: events }, reads: { increment: reads } },
  });
}

/** Evaluates one rule in a read-only transaction. */
export async function evaluate(db: Db, rule: Rule, options: { asOf?: Date; apiIds?: string[] | null; settings?: Partial<RuleSettings> } = {}) {
  return db.$transaction(async (tx) => {
    const ctx: RuleContext = {
      tx,
      asOf: options.asOf ?? new Date(),
      apiIds: options.apiIds ?? null,
      settings: { ...DEFAULT_RULE_SETTINGS, ...(options.settings ?? {}) } as RuleSettings,
    };
    return rule.evaluate(ctx);
  });
}

/** Removes every Api, secret and finding (between independent tests on one database). */
export async function reset(db: Db): Promise<void> {
  await db.finding.deleteMany();
  await db.secretAccessRollup.deleteMany();
  await db.secretAccessNetwork.deleteMany();
  await db.secret.deleteMany();
  await db.riskSnapshot.deleteMany();
  await db.api.deleteMany();
  await db.team.deleteMany();
  await db.setting.deleteMany();
}
