import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { assignOwnerless, clearManualOwner, type Claim, effectiveClaim, getOwnership, setManualOwner } from "./ownership";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const claim = (source: string, teamId: string, since: number, seenAt = since): Claim => ({ source, teamId, since: at(since), seenAt: at(seenAt) });

describe("effectiveClaim: manual, else the latest catalog, else the longest-held other", () => {
  it("has no owner without claims", () => {
    expect(effectiveClaim([])).toBeNull();
  });
  it("a manual claim wins over any catalog, however recent", () => {
    expect(effectiveClaim([claim("backstage", "b", 5, 9), claim("manual", "m", 1), claim("spec", "s", 0)])?.teamId).toBe("m");
  });
  it("among catalogs the one seen last wins; catalogs win over specs, gateways and component links", () => {
    expect(effectiveClaim([claim("csv", "c", 1, 3), claim("backstage", "b", 2, 2), claim("spec", "s", 0)])?.teamId).toBe("c");
    expect(effectiveClaim([claim("csv", "c", 1, 3), claim("backstage", "b", 2, 4)])?.teamId).toBe("b");
    expect(effectiveClaim([claim("backstage-component", "x", 0), claim("csv", "c", 5)])?.teamId).toBe("c");
  });
  it("among other sources the claim held longest wins (they fill a gap and keep it)", () => {
    expect(effectiveClaim([claim("kong", "k", 2, 9), claim("spec", "s", 1, 1)])?.teamId).toBe("s");
    expect(effectiveClaim([claim("earlier", "e", 0), claim("spec", "s", 4), claim("backstage-component", "x", 3)])?.teamId).toBe("e");
  });
});

const spec = (title: string, owner?: string) =>
  JSON.stringify({
    openapi: "3.0.3",
    info: { title, version: "1", ...(owner ? { "x-owner": owner } : {}) },
    servers: [{ url: `https://${title.toLowerCase().replace(/\W+/g, "-")}.example.com/v1` }],
    paths: { "/things/{id}": { get: { summary: "Get", responses: { "200": { description: "ok" } } } } },
  });

const kong = (service: string, owner: string) => `_format_version: "3.0"
services:
  - name: ${service}
    url: https://${service}.example.com/v1
    tags: [owner:${owner}]
    routes:
      - name: ${service}-route
        paths: [/v1/things]
`;

const backstage = (name: string, owner: string) => `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ${name}
spec:
  type: grpc
  lifecycle: production
  owner: ${owner}
  definition: "syntax = \\"proto3\\";"
`;

describe.each(TEST_DATABASES)("Api ownership on $name", (kind) => {
  let db: Database;
  let admin: Actor;
  const teamIds: Record<string, string> = {};

  const run = async (content: string, fileName: string) => {
    const result = await ingest(db.prisma, { file: bufferSource(content, fileName), channel: "cli", actor: { type: "system" } });
    expect(result.status, result.message ?? "").toBe("succeeded");
  };
  const ownerOf = async (slug: string) => {
    const api = await db.prisma.api.findUniqueOrThrow({ where: { slug }, select: { ownerTeam: { select: { slug: true } } } });
    return api.ownerTeam?.slug ?? null;
  };
  const developerOf = async (team: string): Promise<Actor> => {
    const user = await createUser(db.prisma, { email: `dev-${team}@example.com`, role: "developer", password: "a-long-password-1", teams: [team] });
    return { type: "user", userId: user.id, email: user.email, role: "developer", teamIds: [teamIds[team]!] };
  };

  beforeAll(async () => {
    db = await kind.open();
    for (const team of ["team-spec", "team-kong", "team-csv", "team-bs", "team-manual", "team-bulk"]) teamIds[team] = (await ensureTeam(db.prisma, team)).id;
    const user = await createUser(db.prisma, { email: "admin@example.com", role: "admin", password: "a-long-password-0" });
    admin = { type: "user", userId: user.id, email: user.email, role: "admin", teamIds: [] };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("keeps each source's claim, computes the owner from them and moves open findings with every change", async () => {
    await run(spec("Claims API", "team-spec"), "claims.json");
    expect(await ownerOf("claims-api")).toBe("team-spec");
    // A gateway tag fills no gap: the spec's claim is older.
    await run(kong("claims-api", "team-kong"), "kong.yaml");
    expect(await ownerOf("claims-api")).toBe("team-spec");

    const api = await db.prisma.api.findUniqueOrThrow({ where: { slug: "claims-api" } });
    const now = new Date();
    const finding = (key: string, status: string) =>
      db.prisma.finding.create({
        data: {
          kind: "scan", ruleId: `r-${key}`, tool: "zap", title: `Finding ${key}`, severity: "high", fingerprint: `own-${key}`, status,
          apiId: api.id, teamId: api.ownerTeamId, firstSeenAt: now, lastSeenAt: now,
        },
      });
    const open = await finding("open", "open");
    const triaged = await finding("triaged", "triaged");
    const resolved = await finding("resolved", "resolved");

    // A catalog is authoritative: the CSV's owner wins, and the open findings follow.
    await run("name,base_url,owner\nclaims-api,https://claims-api.example.com/v1,team-csv\n", "catalog.csv");
    expect(await ownerOf("claims-api")).toBe("team-csv");
    const teamOf = async (id: string) => (await db.prisma.finding.findUniqueOrThrow({ where: { id } })).teamId;
    expect(await teamOf(open.id)).toBe(teamIds["team-csv"]);
    expect(await teamOf(triaged.id)).toBe(teamIds["team-csv"]);
    expect(await teamOf(resolved.id)).toBe(teamIds["team-spec"]);
    const events = await db.prisma.findingEvent.findMany({ where: { findingId: open.id, type: "team_changed" } });
    expect(events).toMatchObject([{ actorType: "system", fromValue: "team-spec", toValue: "team-csv" }]);
    expect(await db.prisma.findingEvent.count({ where: { findingId: resolved.id, type: "team_changed" } })).toBe(0);
    const ingestAudit = await db.prisma.auditLog.findFirst({ where: { action: "api.owner_changed", targetId: api.id }, orderBy: { createdAt: "desc" } });
    expect(ingestAudit?.details).toMatchObject({ from: "team-spec", to: "team-csv", via: "ingest", format: "csv-inventory", fileName: "catalog.csv" });

    // Manual wins until cleared, even over a later catalog.
    const set = await setManualOwner(db.prisma, admin, { slug: "claims-api", team: "team-manual" });
    expect(set.owner?.slug).toBe("team-manual");
    expect(await teamOf(open.id)).toBe(teamIds["team-manual"]);
    const manualEvent = await db.prisma.findingEvent.findFirst({ where: { findingId: open.id, type: "team_changed", toValue: "team-manual" } });
    expect(manualEvent).toMatchObject({ actorType: "user", actorId: admin.userId, fromValue: "team-csv" });
    await run(backstage("claims-api", "team-bs"), "catalog-info.yaml");
    expect(await ownerOf("claims-api")).toBe("team-manual");

    const devManual = await developerOf("team-manual");
    const devBs = await developerOf("team-bs");
    expect((await createCaller({ prisma: db.prisma, actor: devManual }).findings.get({ id: open.id })).team?.slug).toBe("team-manual");

    // Every claim is shown with where it came from; the deciding one is marked.
    const shown = await getOwnership(db.prisma, admin, "claims-api");
    expect(shown.claims.map((c) => [c.source, c.team.slug, c.effective])).toEqual([
      ["manual", "team-manual", true],
      ["backstage", "team-bs", false],
      ["csv", "team-csv", false],
      ["kong", "team-kong", false],
      ["spec", "team-spec", false],
    ]);
    expect(shown.claims.find((c) => c.source === "csv")).toMatchObject({ label: "CSV inventory", fileName: "catalog.csv" });

    // Cleared: the catalog seen last (Backstage) decides again.
    const cleared = await clearManualOwner(db.prisma, admin, { slug: "claims-api" });
    expect(cleared.owner?.slug).toBe("team-bs");
    expect(cleared.claims.find((c) => c.effective)?.source).toBe("backstage");
    expect(await teamOf(open.id)).toBe(teamIds["team-bs"]);
    await expect(createCaller({ prisma: db.prisma, actor: devManual }).findings.get({ id: open.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await createCaller({ prisma: db.prisma, actor: devBs }).findings.get({ id: open.id })).history.map((h) => [h.type, h.fromValue, h.toValue])).toEqual(
      expect.arrayContaining([
        ["team_changed", "team-spec", "team-csv"],
        ["team_changed", "team-csv", "team-manual"],
        ["team_changed", "team-manual", "team-bs"],
      ]),
    );
    const audits = await db.prisma.auditLog.findMany({ where: { targetId: api.id, actorId: admin.userId } });
    expect(audits.map((a) => a.action).sort()).toEqual(["api.owner_changed", "api.owner_changed", "api.owner_claim_cleared", "api.owner_claim_set"]);
    expect(audits.filter((a) => a.action === "api.owner_changed").map((a) => a.details)).toEqual(
      expect.arrayContaining([
        { from: "team-csv", to: "team-manual", via: "manual" },
        { from: "team-manual", to: "team-bs", via: "manual" },
      ]),
    );
  });

  it("refuses unknown Apis and teams, and Apis outside a developer's scope look missing", async () => {
    await expect(setManualOwner(db.prisma, admin, { slug: "claims-api", team: "no-such-team" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(setManualOwner(db.prisma, admin, { slug: "no-such-api", team: "team-bs" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const dev = await developerOf("team-kong");
    await expect(getOwnership(db.prisma, dev, "claims-api")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("assigns every ownerless Api of a filtered selection to a team in one go, audited", async () => {
    await run(spec("Orphan One"), "orphan-1.json");
    await run(spec("Orphan Two"), "orphan-2.json");
    await run(spec("Lonely Service"), "lonely.json");
    await run(spec("Orphan Owned", "team-spec"), "orphan-owned.json");
    const orphan = await db.prisma.api.findUniqueOrThrow({ where: { slug: "orphan-one" } });
    const now = new Date();
    const finding = await db.prisma.finding.create({
      data: { kind: "scan", ruleId: "r-orphan", tool: "zap", title: "Orphan finding", severity: "low", fingerprint: "own-orphan", apiId: orphan.id, firstSeenAt: now, lastSeenAt: now },
    });

    const result = await assignOwnerless(db.prisma, admin, { filter: { q: "orphan" }, team: "team-bulk" });
    expect(result).toEqual({ assigned: 2, team: { slug: "team-bulk", name: "team-bulk" } });
    expect(await ownerOf("orphan-one")).toBe("team-bulk");
    expect(await ownerOf("orphan-two")).toBe("team-bulk");
    expect(await ownerOf("orphan-owned")).toBe("team-spec");
    expect(await ownerOf("lonely-service")).toBeNull();
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: finding.id } })).teamId).toBe(teamIds["team-bulk"]);
    expect(await db.prisma.findingEvent.findFirst({ where: { findingId: finding.id, type: "team_changed" } })).toMatchObject({ fromValue: null, toValue: "team-bulk" });
    expect((await getOwnership(db.prisma, admin, "orphan-two")).claims).toMatchObject([{ source: "manual", team: { slug: "team-bulk" }, effective: true }]);
    const bulk = await db.prisma.auditLog.findFirst({ where: { action: "api.owner_bulk_assign" } });
    expect(bulk).toMatchObject({ actorId: admin.userId, targetType: "team", details: { team: "team-bulk", apis: 2, filter: { q: "orphan" } } });
    expect(await db.prisma.auditLog.count({ where: { action: "api.owner_changed", details: { path: ["via"], equals: "bulk" } } })).toBe(2);

    // The same selection again: nothing is ownerless any more.
    expect((await assignOwnerless(db.prisma, admin, { filter: { q: "orphan" }, team: "team-bulk" })).assigned).toBe(0);
  });
});
