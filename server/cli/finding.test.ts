// postern finding transition|assign|comment and the workflow fields of postern export findings, in-process against
// an embedded database (as server/cli/cli.test.ts does).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db/client";
import type { FindingExport } from "./export";
import { type CliIO, run } from "./main";

function collector() {
  let text = "";
  return {
    stream: {
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    get text() {
      return text;
    },
  };
}

const DAY = 86_400_000;

describe("postern finding", () => {
  let dir: string;
  let url: string;
  let id: string;

  async function cli(argv: string[], stdin?: string) {
    const out = collector();
    const err = collector();
    const io: CliIO = { stdout: out.stream, stderr: err.stream, env: { DATABASE_URL: url }, ...(stdin === undefined ? {} : { stdin: [Buffer.from(stdin)] }) };
    const code = await run(argv, io);
    return { code, stdout: out.text, stderr: err.text };
  }
  async function exported(): Promise<FindingExport> {
    const result = await cli(["export", "findings", "--format", "json"]);
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as FindingExport[]).find((f) => f.id === id)!;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "postern-cli-finding-"));
    url = `pglite:${dir}/db`;
    expect((await cli(["team", "create", "payments"])).code).toBe(0);
    for (const [email, role, team] of [
      ["admin@example.com", "admin", null],
      ["sec@example.com", "security", null],
      ["dev@example.com", "developer", "payments"],
      ["other@example.com", "developer", "orders"],
    ] as const) {
      const created = await cli(["user", "create", "--email", email, "--role", role, ...(team ? ["--team", team] : []), "--password-stdin"], "a long enough password\n");
      expect(created.code, created.stderr).toBe(0);
    }
    const spec = { openapi: "3.0.3", info: { title: "Payments", version: "1", "x-owner": "payments" }, servers: [{ url: "https://pay.example.com" }], paths: {} };
    const zap = {
      "@version": "2.15.0",
      site: [{ "@name": "https://pay.example.com", "@host": "pay.example.com", "@port": "443", "@ssl": "true", alerts: [
        { pluginid: "10001", alert: "Alert", riskcode: "3", confidence: "2", riskdesc: "High (Medium)", desc: "d", cweid: "200", count: "1", instances: [{ uri: "https://pay.example.com/internal/x", method: "GET" }] },
      ] }],
    };
    await writeFile(path.join(dir, "payments.json"), JSON.stringify(spec));
    await writeFile(path.join(dir, "zap.json"), JSON.stringify(zap));
    const ingested = await cli(["ingest", path.join(dir, "payments.json"), path.join(dir, "zap.json")]);
    expect(ingested.code, ingested.stdout + ingested.stderr).toBe(0);
    const all = JSON.parse((await cli(["export", "findings", "--format", "json"])).stdout) as FindingExport[];
    id = all.find((f) => f.ruleId === "10001")!.id;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses bad usage with exit 2 and one line", async () => {
    const cases: [string[], RegExp][] = [
      [["finding"], /Usage: postern finding/],
      [["finding", "frob"], /^postern: unknown finding command "frob"/],
      [["finding", "transition"], /needs a finding ID and a STATE/],
      [["finding", "transition", "x", "nowhere"], /^postern: unknown state "nowhere"/],
      [["finding", "transition", "x", "risk_accepted", "--expires", "someday"], /--expires "someday" is not an ISO 8601/],
      [["finding", "assign", "x"], /needs --to EMAIL or --unassign/],
      [["finding", "assign", "x", "--to", "a@b.c", "--unassign"], /needs --to EMAIL or --unassign/],
      [["finding", "comment", "x"], /needs --text TEXT/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toMatch(message);
    }
    for (const sub of ["transition", "assign", "comment"]) {
      const help = await cli(["finding", sub, "--help"]);
      expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^Usage: postern finding ${sub} `)) });
    }
  });

  it("moves, assigns and comments as the named person, their role checked; the first admin by default", async () => {
    const triaged = await cli(["finding", "transition", id, "triaged", "--as", "dev@example.com"]);
    expect(triaged).toMatchObject({ code: 0, stdout: `Finding ${id}: open → triaged (as dev@example.com).\n` });

    const until = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    const refused = await cli(["finding", "transition", id, "risk_accepted", "--reason", "WAF", "--expires", until, "--as", "dev@example.com"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^postern: moving a finding to risk_accepted needs the security team/);
    expect((await cli(["finding", "transition", id, "risk_accepted", "--reason", "WAF", "--as", "sec@example.com"])).stderr).toMatch(/expiry/);
    expect((await cli(["finding", "transition", "no-such-finding", "triaged"])).stderr).toBe("postern: Finding not found\n");
    expect((await cli(["finding", "transition", id, "open", "--as", "nobody@example.com"])).stderr).toBe("postern: no user with email nobody@example.com\n");
    expect((await cli(["finding", "transition", id, "in_progress", "--as", "other@example.com"])).stderr).toBe("postern: Finding not found\n");

    expect((await cli(["finding", "assign", id, "--to", "dev@example.com", "--as", "sec@example.com"])).stdout).toBe(
      `Finding ${id} assigned to dev@example.com (as sec@example.com).\n`,
    );
    const outsider = await cli(["finding", "assign", id, "--to", "other@example.com"]);
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toMatch(/other@example.com is not in the team/);
    expect((await cli(["finding", "comment", id, "--text", "Fix in PR 42", "--as", "dev@example.com"])).code).toBe(0);

    const accepted = await cli(["finding", "transition", id, "risk_accepted", "--reason", "WAF rule 12", "--expires", until]);
    expect(accepted).toMatchObject({ code: 0, stdout: `Finding ${id}: triaged → risk_accepted (as admin@example.com).\n` });

    const db = await openDatabase({ kind: "pglite", dataDir: `${dir}/db` });
    try {
      const audit = await db.prisma.auditLog.findMany({ where: { targetId: id }, orderBy: { createdAt: "asc" } });
      expect(audit.map((a) => [a.action, (a.details as { origin?: string }).origin])).toEqual([
        ["finding.transition", "cli"],
        ["finding.assign", "cli"],
        ["finding.comment", "cli"],
        ["finding.transition", "cli"],
      ]);
      const events = await db.prisma.findingEvent.findMany({ where: { findingId: id, type: "comment" } });
      expect(events.map((e) => e.comment)).toEqual(["Fix in PR 42"]);
    } finally {
      await db.close();
    }
  });

  it("exports the workflow fields: assignee, team, overdue, acceptance and the suppression rule", async () => {
    const row = await exported();
    expect(row).toMatchObject({
      status: "risk_accepted",
      assignee: "dev@example.com",
      team: "payments",
      overdue: false,
      acceptance: { reason: "WAF rule 12", approver: "admin@example.com", expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT00:00:00.000Z$/) },
      suppressedBy: null,
    });

    // A suppression rule covering it (reopened first: rules cover active findings).
    expect((await cli(["finding", "transition", id, "open", "--reason", "new rule instead"])).code).toBe(0);
    const db = await openDatabase({ kind: "pglite", dataDir: `${dir}/db` });
    let ruleId: string;
    try {
      const { createSuppressionRule } = await import("@/server/findings/suppression");
      const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
      const created = await createSuppressionRule(
        db.prisma,
        { type: "user", userId: admin.id, email: admin.email, role: "admin", teamIds: [] },
        { ruleId: "10001", apiPattern: "pay*", pathPattern: "/internal/**", state: "false_positive", reason: "internal only" },
      );
      ruleId = created.rule.id;
    } finally {
      await db.close();
    }
    expect(await exported()).toMatchObject({ status: "false_positive", acceptance: null, suppressedBy: { id: ruleId, rule: "10001 on Apis pay* at /internal/**", reason: "internal only" } });
    const csv = await cli(["export", "findings", "--format", "csv"]);
    const [header] = csv.stdout.split("\r\n");
    expect(header).toContain("assignee,team,overdue,acceptance.reason,acceptance.approver,acceptance.expiresAt,suppressedBy.id,suppressedBy.rule");
  });
});
