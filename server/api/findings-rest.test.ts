// The findings REST API called with real Requests and bearer tokens of each role: scopes, the owner's permission,
// the owner's teams, the workflow's rules, audit origin "api", and the OpenAPI document describing it all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as openApi } from "@/app/api/v1/openapi.json/route";
import { POST as assignRoute } from "@/app/api/v1/findings/[id]/assign/route";
import { POST as commentRoute } from "@/app/api/v1/findings/[id]/comments/route";
import { GET as getRoute } from "@/app/api/v1/findings/[id]/route";
import { POST as transitionRoute } from "@/app/api/v1/findings/[id]/transition/route";
import { POST as bulkRoute } from "@/app/api/v1/findings/bulk/route";
import { GET as listRoute } from "@/app/api/v1/findings/route";
import type { Role } from "@/server/auth/roles";
import { createApiToken, type TokenScope } from "@/server/auth/tokens";
import { type Db, getDatabase, getPrisma } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";

const BASE = "http://localhost:3000/api/v1";
const DAY = 86_400_000;
const params = (id: string) => ({ params: Promise.resolve({ id }) });

describe("findings REST API", () => {
  let prisma: Db;
  const token = {} as Record<Role | "readOnly" | "ingestOnly" | "otherDev", string>;
  const users = {} as Record<Role | "otherDev", string>;
  const f = {} as Record<"a1" | "a2" | "a3" | "b1" | "unmapped", string>;

  const auth = (who: keyof typeof token) => ({ authorization: `Bearer ${token[who]}` });
  const get = (who: keyof typeof token, query = "") => listRoute(new Request(`${BASE}/findings${query}`, { headers: auth(who) }));
  const one = (who: keyof typeof token, id: string) => getRoute(new Request(`${BASE}/findings/${id}`, { headers: auth(who) }), params(id));
  const post = (route: typeof transitionRoute, who: keyof typeof token, id: string, path: string, body: unknown) =>
    route(new Request(`${BASE}/findings/${id}/${path}`, { method: "POST", headers: { ...auth(who), "content-type": "application/json" }, body: JSON.stringify(body) }), params(id));
  const bulk = (who: keyof typeof token, body: unknown) =>
    bulkRoute(new Request(`${BASE}/findings/bulk`, { method: "POST", headers: { ...auth(who), "content-type": "application/json" }, body: JSON.stringify(body) }));
  const status = async (id: string) => (await prisma.finding.findUniqueOrThrow({ where: { id } })).status;

  beforeAll(async () => {
    process.env.DATABASE_URL = "pglite:memory";
    prisma = await getPrisma();
    await ensureTeam(prisma, "alpha");
    await ensureTeam(prisma, "beta");
    for (const owner of ["alpha", "beta"]) {
      const spec = { openapi: "3.0.3", info: { title: owner, version: "1", "x-owner": owner }, servers: [{ url: `https://${owner}.example.com` }], paths: {} };
      const result = await ingest(prisma, { file: bufferSource(JSON.stringify(spec), `${owner}.json`), channel: "cli", actor: { type: "system" }, correlate: false });
      expect(result.status).toBe("succeeded");
    }
    const apis = Object.fromEntries((await prisma.api.findMany({ select: { id: true, slug: true, ownerTeamId: true } })).map((a) => [a.slug, a]));
    const now = new Date();
    let n = 0;
    const finding = async (slug: string | null, severity = "high") => {
      n += 1;
      const api = slug ? apis[slug]! : null;
      return (
        await prisma.finding.create({
          data: {
            kind: "scan", ruleId: `r${n}`, tool: "zap", title: `Finding ${n}`, severity, fingerprint: `rest-${n}`, apiId: api?.id ?? null,
            teamId: api?.ownerTeamId ?? null, firstSeenAt: now, lastSeenAt: now, slaDueAt: new Date(now.getTime() + 30 * DAY),
          },
        })
      ).id;
    };
    f.a1 = await finding("alpha");
    f.a2 = await finding("alpha", "low");
    f.a3 = await finding("alpha", "low");
    f.b1 = await finding("beta");
    f.unmapped = await finding(null);
    const both: TokenScope[] = ["findings:read", "findings:write"];
    for (const [key, role, teams] of [
      ["admin", "admin", []],
      ["security", "security", []],
      ["developer", "developer", ["alpha"]],
      ["otherDev", "developer", ["beta"]],
      ["executive", "executive", []],
    ] as [Role | "otherDev", Role, string[]][]) {
      const user = await createUser(prisma, { email: `${key.toLowerCase()}@example.com`, role, password: `${key}-password-123`, teams });
      users[key] = user.id;
      token[key] = (await createApiToken(prisma, { userId: user.id, name: key, scopes: both, expiresInDays: 1 })).token;
    }
    token.readOnly = (await createApiToken(prisma, { userId: users.security, name: "ro", scopes: ["findings:read"], expiresInDays: 1 })).token;
    token.ingestOnly = (await createApiToken(prisma, { userId: users.admin, name: "ingest", scopes: ["ingest"], expiresInDays: 1 })).token;
  });
  afterAll(async () => {
    await (await getDatabase()).close();
  });

  it("GET /findings lists the token owner's teams' findings, with the page's filters, and refuses the wrong credentials", async () => {
    const ids = async (who: keyof typeof token, query = "") => {
      const response = await get(who, query);
      expect(response.status, `${who} ${query}`).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      return ((await response.json()) as { rows: { id: string }[] }).rows.map((r) => r.id).sort();
    };
    expect(await ids("admin")).toEqual(Object.values(f).sort());
    expect(await ids("developer")).toEqual([f.a1, f.a2, f.a3].sort());
    expect(await ids("otherDev")).toEqual([f.b1]);
    expect(await ids("security", "?unmapped=true")).toEqual([f.unmapped]);
    expect(await ids("developer", "?severity=low&status=active&sort=title&dir=asc")).toEqual([f.a2, f.a3].sort());
    const page = (await (await get("admin", "?pageSize=2&page=2&sort=title&dir=asc")).json()) as { total: number; page: number; rows: unknown[] };
    expect(page).toMatchObject({ total: 5, page: 2 });
    expect(page.rows).toHaveLength(2);

    expect((await get("executive")).status).toBe(403);
    expect((await get("ingestOnly")).status).toBe(401);
    const anonymous = await listRoute(new Request(`${BASE}/findings`));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain('scope="findings:read"');
    expect((await get("admin", "?color=red")).status).toBe(400);
    expect((await get("admin", "?overdue=maybe")).status).toBe(400);
    expect((await get("admin", "?pageSize=1000")).status).toBe(400);
  });

  it("GET /findings/{id} answers with the history; another team's finding is not found", async () => {
    const response = await one("developer", f.a1);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: f.a1, status: "open", history: [] });
    expect((await one("developer", f.b1)).status).toBe(404);
    expect((await one("developer", "no-such-finding")).status).toBe(404);
    expect((await one("executive", f.a1)).status).toBe(403);
  });

  it("POST /findings/{id}/transition applies the transition table for the owner's role, audited from the API", async () => {
    const moved = await post(transitionRoute, "developer", f.a1, "transition", { to: "triaged" });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ changed: 1, skipped: [] });
    expect(await status(f.a1)).toBe("triaged");
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { targetId: f.a1, action: "finding.transition" } });
    expect(audit).toMatchObject({ actorType: "token", actorId: users.developer, details: expect.objectContaining({ origin: "api", to: "triaged" }) });
    const event = await prisma.findingEvent.findFirstOrThrow({ where: { findingId: f.a1, type: "status" } });
    expect(event).toMatchObject({ actorType: "token", actorId: users.developer });

    const refused = await post(transitionRoute, "developer", f.a1, "transition", { to: "risk_accepted", reason: "x", expiresAt: new Date(Date.now() + DAY).toISOString() });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/security team/);
    expect((await post(transitionRoute, "developer", f.b1, "transition", { to: "triaged" })).status).toBe(404);
    expect((await post(transitionRoute, "executive", f.a1, "transition", { to: "open" })).status).toBe(403);
    expect((await post(transitionRoute, "readOnly", f.a1, "transition", { to: "open" })).status).toBe(401);
    expect((await post(transitionRoute, "security", f.a1, "transition", { to: "nowhere" })).status).toBe(400);
    expect((await post(transitionRoute, "security", f.a1, "transition", { to: "risk_accepted", reason: "WAF" })).status).toBe(400); // no end date
    const accepted = await post(transitionRoute, "security", f.a1, "transition", { to: "risk_accepted", reason: "WAF rule", expiresAt: new Date(Date.now() + 30 * DAY).toISOString() });
    expect(accepted.status).toBe(200);
    expect(await prisma.finding.findUniqueOrThrow({ where: { id: f.a1 } })).toMatchObject({ status: "risk_accepted", acceptedById: users.security });
    const malformed = await transitionRoute(
      new Request(`${BASE}/findings/${f.a2}/transition`, { method: "POST", headers: { ...auth("admin"), "content-type": "application/json" }, body: "{not json" }),
      params(f.a2),
    );
    expect(malformed.status).toBe(400);
  });

  it("POST /findings/{id}/assign and /comments: within the team, by email; comments land in the history", async () => {
    const assigned = await post(assignRoute, "developer", f.a2, "assign", { assignee: "Developer@example.com" });
    expect(assigned.status).toBe(200);
    expect((await prisma.finding.findUniqueOrThrow({ where: { id: f.a2 } })).assigneeId).toBe(users.developer);
    const outsider = await post(assignRoute, "security", f.a2, "assign", { assignee: "otherdev@example.com" });
    expect(outsider.status).toBe(400);
    expect((await post(assignRoute, "security", f.a2, "assign", { assignee: "nobody@example.com" })).status).toBe(404);
    expect((await post(assignRoute, "developer", f.a2, "assign", { assignee: null })).status).toBe(200);

    const commented = await post(commentRoute, "developer", f.a2, "comments", { body: "Fixing in **PR 42**" });
    expect(commented.status).toBe(201);
    const detail = (await (await one("developer", f.a2)).json()) as { history: { type: string; comment: string | null }[] };
    expect(detail.history.filter((h) => h.type === "comment").map((h) => h.comment)).toEqual(["Fixing in **PR 42**"]);
    expect((await post(commentRoute, "otherDev", f.a2, "comments", { body: "hi" })).status).toBe(404);
    expect((await post(commentRoute, "developer", f.a2, "comments", { body: "" })).status).toBe(400);
  });

  it("POST /findings/bulk transitions or assigns by ids or by a filter, within the owner's teams", async () => {
    const byFilter = await bulk("developer", { action: "transition", filter: { severity: "low" }, to: "in_progress" });
    expect(byFilter.status).toBe(200);
    expect(await byFilter.json()).toMatchObject({ matched: 2, changed: 2, skippedCount: 0 });
    expect([await status(f.a2), await status(f.a3), await status(f.b1)]).toEqual(["in_progress", "in_progress", "open"]);

    const byIds = await bulk("developer", { action: "transition", ids: [f.a2, f.b1], to: "resolved" });
    expect(await byIds.json()).toMatchObject({ matched: 2, changed: 1, skippedCount: 1, reasons: [{ reason: "finding not found", count: 1 }] });
    expect(await status(f.b1)).toBe("open");

    const assigned = await bulk("security", { action: "assign", ids: [f.a3, f.b1], assignee: "developer@example.com" });
    expect(await assigned.json()).toMatchObject({ matched: 2, changed: 1, skippedCount: 1 });
    expect((await bulk("developer", { action: "transition", ids: [f.a3], filter: { severity: "low" }, to: "open" })).status).toBe(400);
    expect((await bulk("developer", { action: "transition", to: "open" })).status).toBe(400);
    expect((await bulk("developer", { action: "delete", ids: [f.a3] })).status).toBe(400);
    expect((await bulk("executive", { action: "transition", ids: [f.a3], to: "open" })).status).toBe(403);
    expect(await prisma.auditLog.count({ where: { action: "finding.transition", details: { path: ["origin"], equals: "api" } } })).toBeGreaterThanOrEqual(4);
  });

  it("the OpenAPI document describes every findings route and answer", async () => {
    const doc = (await (await openApi()).json()) as { paths: Record<string, Record<string, { operationId: string }>>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/findings", "/findings/{id}", "/findings/{id}/transition", "/findings/{id}/assign", "/findings/{id}/comments", "/findings/bulk"]),
    );
    expect(doc.paths["/findings"]!.get!.operationId).toBe("listFindings");
    expect(doc.components.schemas).toHaveProperty("FindingDetail.properties.history");
    expect(doc.components.schemas).toHaveProperty("BulkResult.properties.reasons");
  });
});
