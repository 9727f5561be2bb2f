import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { TEST_DATABASES } from "@/server/test/databases";
import { createUser } from "./service";
import { addMember, createTeam, getTeamAdmin, listTeamsAdmin, removeMember, renameTeam } from "./teams";

describe.each(TEST_DATABASES)("teams administration on $name", (kind) => {
  let db: Database;
  let admin: Actor;
  let member: { id: string; email: string };

  beforeAll(async () => {
    db = await kind.open();
    const user = await createUser(db.prisma, { email: "root@example.com", role: "admin", password: "root-password-123" });
    admin = { type: "user", userId: user.id, email: user.email, role: "admin", teamIds: [] };
    member = await createUser(db.prisma, { email: "member@example.com", role: "developer", password: "member-password-123" });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("creates a team (slug from its name), refuses a second with the same slug; audited", async () => {
    expect(await createTeam(db.prisma, admin, { name: "Payments Core" })).toEqual({ slug: "payments-core", name: "Payments Core", changed: true });
    await expect(createTeam(db.prisma, admin, { name: "payments core" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createTeam(db.prisma, admin, { name: "!!!" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await createTeam(db.prisma, admin, { name: "Search", slug: "search-team" })).toMatchObject({ slug: "search-team" });
    const team = await db.prisma.team.findUniqueOrThrow({ where: { slug: "payments-core" } });
    expect((await db.prisma.auditLog.findMany({ where: { action: "team.create", targetId: team.id } })).map((a) => a.details)).toEqual([
      { slug: "payments-core", name: "Payments Core" },
    ]);
  });

  it("renames a team (its slug, which inventories name owners by, stays); audited from → to", async () => {
    expect(await renameTeam(db.prisma, admin, { slug: "payments-core", name: "Payments" })).toEqual({ slug: "payments-core", name: "Payments", changed: true });
    expect(await renameTeam(db.prisma, admin, { slug: "payments-core", name: "Payments" })).toMatchObject({ changed: false });
    await expect(renameTeam(db.prisma, admin, { slug: "no-such-team", name: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const team = await db.prisma.team.findUniqueOrThrow({ where: { slug: "payments-core" } });
    expect((await db.prisma.auditLog.findMany({ where: { action: "team.rename", targetId: team.id } })).map((a) => a.details)).toEqual([
      { slug: "payments-core", from: "Payments Core", to: "Payments" },
    ]);
  });

  it("adds and removes members; a developer's scope follows at once", async () => {
    const spec = JSON.stringify({
      openapi: "3.0.3",
      info: { title: "Pay API", version: "1", "x-owner": "payments-core" },
      servers: [{ url: "https://pay.example.com/v1" }],
      paths: { "/x": { get: { responses: { "200": { description: "ok" } } } } },
    });
    expect((await ingest(db.prisma, { file: bufferSource(spec, "pay.json"), channel: "cli", actor: { type: "system" } })).status).toBe("succeeded");

    expect(await addMember(db.prisma, admin, { team: "payments-core", userId: member.id })).toMatchObject({ changed: true });
    expect(await addMember(db.prisma, admin, { team: "payments-core", userId: member.id })).toMatchObject({ changed: false });
    await expect(addMember(db.prisma, admin, { team: "payments-core", userId: "no-such-user" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const detail = await getTeamAdmin(db.prisma, admin, { slug: "payments-core" });
    expect(detail.members).toEqual([{ id: member.id, email: "member@example.com", name: "member", role: "developer", active: true }]);
    expect(detail.apis.map((a) => a.slug)).toEqual(["pay-api"]);
    expect(await listTeamsAdmin(db.prisma, admin)).toEqual(
      expect.arrayContaining([expect.objectContaining({ slug: "payments-core", name: "Payments", members: 1, apis: 1 })]),
    );

    const team = await db.prisma.team.findUniqueOrThrow({ where: { slug: "payments-core" } });
    const dev: Actor = { type: "user", userId: member.id, email: member.email, role: "developer", teamIds: [team.id] };
    expect((await createCaller({ prisma: db.prisma, actor: dev }).apis.list({})).rows.map((r) => r.slug)).toEqual(["pay-api"]);

    expect(await removeMember(db.prisma, admin, { team: "payments-core", userId: member.id })).toMatchObject({ changed: true });
    expect(await removeMember(db.prisma, admin, { team: "payments-core", userId: member.id })).toMatchObject({ changed: false });
    expect((await getTeamAdmin(db.prisma, admin, { slug: "payments-core" })).members).toEqual([]);
    const actions = (await db.prisma.auditLog.findMany({ where: { targetId: team.id, action: { startsWith: "team.member" } } })).map((a) => [a.action, a.details]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ["team.member_added", { team: "payments-core", userId: member.id, email: "member@example.com", from: null, to: "member" }],
        ["team.member_removed", { team: "payments-core", userId: member.id, email: "member@example.com", from: "member", to: null }],
      ]),
    );
    expect(actions).toHaveLength(2);
  });

  it("through the router: zod refuses malformed input; only admins", async () => {
    const caller = createCaller({ prisma: db.prisma, actor: admin });
    await expect(caller.teams.create({ name: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.teams.rename({ slug: "payments-core", name: "x".repeat(81) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(createCaller({ prisma: db.prisma, actor: { ...admin, role: "security" } }).teams.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await caller.teams.get({ slug: "payments-core" })).name).toBe("Payments");
  });
});
