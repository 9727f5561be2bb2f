// The audit log for admins (issue 14): filter, CSV export in keyset pages, retention and its purge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { createUser } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { recordAudit } from "./recorder";
import { auditCsv, CSV_HEADER, DEFAULT_RETENTION_DAYS, getRetention, listAudit, purgeAudit, setRetention } from "./service";

const DAY = 86_400_000;

async function collect(lines: AsyncGenerator<string>): Promise<string> {
  let out = "";
  for await (const line of lines) out += line;
  return out;
}

describe.each(TEST_DATABASES)("audit log on $name", (kind) => {
  let db: Database;
  let admin: Actor;
  const now = new Date();

  beforeAll(async () => {
    db = await kind.open();
    const user = await createUser(db.prisma, { email: "auditor@example.com", role: "admin", password: "auditor-password-123" });
    admin = { type: "user", userId: user.id, email: user.email, role: "admin", teamIds: [] };
    await db.prisma.auditLog.deleteMany({});
    const entries = Array.from({ length: 2500 }, (_, i) => ({
      actor: i % 2 ? { type: "user" as const, id: user.id } : { type: "system" as const },
      action: i % 3 ? "finding.transition" : "webhook.create",
      target: { type: i % 3 ? "finding" : "webhook", id: `t-${i}` },
      details: { n: i, note: i === 7 ? '=HYPERLINK("x"), "quoted"\nline' : "plain" },
    }));
    await recordAudit(db.prisma, entries, new Date(now.getTime() - 2 * DAY));
    await recordAudit(db.prisma, { actor: { type: "system" }, action: "old.thing", target: { type: "x", id: "=SUM(A1)" } }, new Date(now.getTime() - 400 * DAY));
  });
  afterAll(async () => {
    await db?.close();
  });

  it("filters by actor, action prefix, target and date range, paged", async () => {
    expect((await listAudit(db.prisma, {})).total).toBe(2501);
    const mine = await listAudit(db.prisma, { actor: "auditor@", pageSize: 10 });
    expect(mine.total).toBe(1250);
    expect(mine.items).toHaveLength(10);
    expect(mine.items.every((i) => i.actor === "auditor@example.com")).toBe(true);
    expect((await listAudit(db.prisma, { actor: "system" })).total).toBe(1251);
    expect((await listAudit(db.prisma, { action: "webhook." })).total).toBe(834);
    expect((await listAudit(db.prisma, { targetType: "finding", targetId: "t-1" })).items.map((i) => i.targetId)).toEqual(["t-1"]);
    expect((await listAudit(db.prisma, { from: new Date(now.getTime() - 10 * DAY), to: now })).total).toBe(2500);
    expect((await listAudit(db.prisma, { to: new Date(now.getTime() - 10 * DAY) })).total).toBe(1);
  });

  it("exports CSV in keyset pages: every record once, fields quoted, formulas defused", async () => {
    const csv = await collect(auditCsv(db.prisma, { from: new Date(now.getTime() - 10 * DAY) }));
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(CSV_HEADER.join(","));
    expect(lines.length).toBe(1 + 2500);
    const ids = new Set(csv.match(/,t-\d+,/g));
    expect(ids.size).toBe(2500);
    expect(csv).toContain('\\""quoted\\""');
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    const filtered = await collect(auditCsv(db.prisma, { action: "old." }));
    expect(filtered.split("\r\n").filter(Boolean)).toHaveLength(2);
    expect(filtered).toContain(",'=SUM(A1),");
  });

  it("keeps 365 days by default; a shorter retention purges older records and the purge is audited", async () => {
    expect(await getRetention(db.prisma)).toEqual({ days: DEFAULT_RETENTION_DAYS });
    expect(await purgeAudit(db.prisma, now)).toBe(1);
    expect(await purgeAudit(db.prisma, now)).toBe(0);
    await setRetention(db.prisma, admin, { days: 1 });
    expect(await getRetention(db.prisma)).toEqual({ days: 1 });
    expect(await purgeAudit(db.prisma, now)).toBe(2500);
    const left = await listAudit(db.prisma, {});
    expect(left.items.map((i) => i.action).sort()).toEqual(["audit.purge", "audit.purge", "audit.retention"]);
  });
});
