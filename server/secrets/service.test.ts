import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { sample } from "@/server/ingest/test-utils";
import { ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { listSecrets } from "./service";

const system = { type: "system" as const };

describe.each(TEST_DATABASES)("secrets list on $name", (kind) => {
  let db: Database;
  let home: Actor;
  let other: Actor;
  const security: Actor = { type: "user", userId: "s", email: "s@example.com", role: "security", teamIds: [] };
  // The Vault sample's first events are from 2021-06-29: evaluate as of two days later.
  const asOf = new Date("2021-07-01T00:00:00Z");

  beforeAll(async () => {
    db = await kind.open();
    const automation = await ensureTeam(db.prisma, "home-automation");
    const payments = await ensureTeam(db.prisma, "payments");
    await db.prisma.api.create({ data: { slug: "home-assistant", name: "Home Assistant", aliases: [], ownerTeamId: automation.id } });
    home = { type: "user", userId: "h", email: "h@example.com", role: "developer", teamIds: [automation.id] };
    other = { type: "user", userId: "o", email: "o@example.com", role: "developer", teamIds: [payments.id] };
    const result = await ingest(db.prisma, { file: await sample("vault-audit/hashicorp-vault-audit-file.log"), channel: "cli", actor: system });
    expect(result.status).toBe("succeeded");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("shows the security team every secret with readers, denied attempts and links", async () => {
    const list = await listSecrets(db.prisma, security, {}, asOf);
    expect(list.total).toBe(4);
    const ha = list.rows.find((r) => r.ref === "secret/data/apps/home-assistant/secrets_yaml");
    expect(ha).toMatchObject({ readers: 1, reads: 1, denied: 0, addresses: ["10.6.8.34"], rotationUnknown: true, stale: false });
    expect(ha?.apis).toEqual([{ slug: "home-assistant", name: "Home Assistant", via: "slug" }]);
    expect(list.rows.find((r) => r.ref === "internal-ca/issue/internal-server")).toMatchObject({ denied: 1, readers: 0 });
    expect((await listSecrets(db.prisma, security, { q: "HOME-ASSISTANT" }, asOf)).total).toBe(1);
    expect((await listSecrets(db.prisma, security, { api: "home-assistant" }, asOf)).total).toBe(1);
    // The sample's events run to 2021-12-30; 90+ days after the last first-seen, with no rotation seen, all are stale.
    expect((await listSecrets(db.prisma, security, { stale: true }, new Date("2022-06-01T00:00:00Z"))).total).toBe(4);
    expect((await listSecrets(db.prisma, security, { stale: true }, asOf)).total).toBe(0);
  });

  it("shows developers only secrets linked to their teams' Apis, and executives none", async () => {
    expect((await listSecrets(db.prisma, home, {}, asOf)).rows.map((r) => r.ref)).toEqual(["secret/data/apps/home-assistant/secrets_yaml"]);
    expect((await listSecrets(db.prisma, other, {}, asOf)).total).toBe(0);
    const executive: Actor = { ...security, role: "executive" };
    await expect(listSecrets(db.prisma, executive, {}, asOf)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
