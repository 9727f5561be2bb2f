/**
 * `postern report` on the demo organisation: the JSON report, the PDF (its text extracted with pdf-parse must show
 * the same control ids, statuses and numbers as the JSON) and the CSV rows under it — run locally, and through a
 * running server's loopback door, where the PDF's bytes must arrive intact.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import { PDFParse } from "pdf-parse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markPeer, newSecret, writeServerFile } from "@/scripts/serve-support.mjs";
import { type Database, openDatabase } from "@/server/db/client";
import { loadDemoOrganisation } from "@/server/demo/load";
import type { Report } from "@/server/reports/schema";
import { SEVERITIES } from "@/server/domain/severity";
import type { CliIO } from "./commands/shared";
import { run } from "./main";
import { handleCliRequest } from "./remote-handler";

function bytesCollector() {
  const chunks: Buffer[] = [];
  return {
    stream: {
      write(chunk: string | Uint8Array) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk));
        return true;
      },
    },
    get bytes() {
      return Buffer.concat(chunks);
    },
  };
}

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** The lines the PDF must hold for a report: summary numbers and one table row per control, values as in the JSON. */
function expectPdfMatches(text: string, report: Report) {
  const lines = text.split("\n").map((l) => l.replace(/\t/g, " ").replace(/ +/g, " ").trim());
  const s = report.summary;
  for (const [label, value] of [
    ["Controls", s.controls],
    ["Passing", s.passing],
    ["Failing", s.failing],
    ["Not assessed", s.notAssessed],
    ["Apis in scope", s.apisInScope],
    ...SEVERITIES.map((sev) => [`Open findings, ${sev}`, s.openFindings[sev]] as const),
  ] as const) {
    expect(lines, label).toContain(`${label} ${value}`);
  }
  expect(lines).toContain(`Closed within SLA ${report.sla.closedWithinSla} of ${report.sla.closed} (${report.sla.share === null ? "n/a" : `${Math.round(report.sla.share * 100)} %`})`);
  for (const c of report.controls) {
    const status = c.status === "not_assessed" ? "not assessed" : c.status;
    const numbers = [c.apis, ...SEVERITIES.map((sev) => c.open[sev])].join(" ");
    const row = lines.find((l) => l.startsWith(`${c.id} `) && l.endsWith(` ${status} ${numbers}`));
    expect(row, `${c.id}: ${status} ${numbers}`).toBeDefined();
  }
}

describe("postern report on the demo organisation", () => {
  let db: Database;
  let dir: string;
  let report: Report;
  const now = new Date();

  const local = async (argv: string[]) => {
    const out = bytesCollector();
    const err = bytesCollector();
    const io: CliIO = { stdout: out.stream, stderr: err.stream, env: {}, database: async () => ({ prisma: db.prisma, describe: "test" }) };
    const code = await run(argv, io);
    return { code, stdout: out.bytes, stderr: err.bytes.toString("utf8") };
  };

  beforeAll(async () => {
    db = await openDatabase({ kind: "pglite", dataDir: null });
    await loadDemoOrganisation(db.prisma, { apis: 40, now });
    dir = await mkdtemp(path.join(tmpdir(), "postern-report-"));
  });
  afterAll(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes the JSON report: every control of the framework, with a status and counts", async () => {
    const result = await local(["report", "--framework", "owasp-api-2023", "--format", "json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    report = JSON.parse(result.stdout.toString("utf8")) as Report;
    expect(report.controls.map((c) => c.id)).toEqual(["API1", "API2", "API3", "API4", "API5", "API6", "API7", "API8", "API9", "API10"]);
    expect(report.evidence).toEqual(["inventory", "scan", "traffic", "vault"]);
    expect(report.summary.apisInScope).toBeGreaterThanOrEqual(40);
    // The demo has open findings of several categories, so several controls fail and some pass.
    expect(report.summary.failing).toBeGreaterThan(1);
    expect(report.summary.passing).toBeGreaterThan(0);
    expect(report.summary.failing + report.summary.passing + report.summary.notAssessed).toBe(10);
    // The demo's remediation history resolved findings weeks ago: the period has SLA and MTTR figures.
    expect(report.sla.closed).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toMatch(/evidence"\s*:\s*\{/);
  });

  it("writes a PDF whose text shows the same control ids, statuses and numbers as the JSON", async () => {
    const result = await local(["report", "--framework", "owasp-api-2023", "--format", "pdf"]);
    expect(result.code).toBe(0);
    expect(result.stdout.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = await pdfText(result.stdout);
    expect(text).toContain("OWASP API Security Top 10 2023");
    expect(text).toContain("Scope: All Apis");
    expectPdfMatches(text, report);
  });

  it("writes the CSV rows under the report: one per control × finding open or accepted at the end", async () => {
    const result = await local(["report", "--framework", "owasp-api-2023", "--format", "csv"]);
    expect(result.code).toBe(0);
    const rows = parse(result.stdout.toString("utf8"), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(["control", "finding_id", "rule", "severity", "status", "api", "due", "overdue"]);
    for (const c of report.controls) {
      const mine = rows.filter((r) => r.control === c.id);
      expect(mine.filter((r) => r.status !== "risk_accepted"), c.id).toHaveLength(c.openTotal);
      expect(mine.filter((r) => r.status === "risk_accepted"), c.id).toHaveLength(c.accepted);
      expect(new Set(mine.filter((r) => r.status !== "risk_accepted" && r.api).map((r) => r.api)).size, c.id).toBe(c.apis);
    }
    // Each row's finding as stored: rule, severity, status, Api, due date and overdue at the end of the period.
    const stored = new Map(
      (await db.prisma.finding.findMany({ where: { id: { in: rows.map((r) => r.finding_id!) } }, select: { id: true, ruleId: true, severity: true, status: true, slaDueAt: true, api: { select: { slug: true } } } })).map((f) => [f.id, f]),
    );
    for (const r of rows) {
      const f = stored.get(r.finding_id!)!;
      expect(r).toMatchObject({ rule: f.ruleId, severity: f.severity, status: f.status, api: f.api?.slug ?? "", due: f.slaDueAt?.toISOString() ?? "" });
      expect(r.overdue).toBe(String(f.status !== "risk_accepted" && f.slaDueAt !== null && f.slaDueAt.getTime() < now.getTime()));
    }
  });

  it("neutralises a scanner's rule id that a spreadsheet would run as a formula", async () => {
    const api = await db.prisma.api.findFirstOrThrow({ select: { id: true } });
    await db.prisma.finding.create({
      data: { kind: "scan", tool: "zap", ruleId: '=HYPERLINK("http://evil.example","x")', title: "t", severity: "high", owaspCategory: "API2", fingerprint: "hostile-rule", apiId: api.id, firstSeenAt: now, lastSeenAt: now },
    });
    const result = await local(["report", "--framework", "owasp-api-2023", "--format", "csv"]);
    const text = result.stdout.toString("utf8");
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    await db.prisma.finding.deleteMany({ where: { fingerprint: "hostile-rule" } });
  });

  it("reports another framework, a team, and refuses bad usage with exit 2", async () => {
    const team = await db.prisma.team.findFirstOrThrow({ where: { apis: { some: {} } }, orderBy: { slug: "asc" } });
    const result = await local(["report", "--framework", "pci-dss-4.0", "--team", team.slug, "--format", "json"]);
    expect(result.code).toBe(0);
    const pci = JSON.parse(result.stdout.toString("utf8")) as Report;
    expect(pci.scope).toMatchObject({ kind: "team", slug: team.slug });
    expect(pci.controls.some((c) => c.id === "8.3.2")).toBe(true);
    for (const [argv, message] of [
      [["report", "--format", "pdf"], /needs --framework/],
      [["report", "--framework", "cobit"], /unknown framework "cobit"/],
      [["report", "--framework", "soc2", "--format", "docx"], /unknown report format "docx"/],
      [["report", "--framework", "soc2", "--from", "last week"], /not an ISO 8601 date/],
      [["report", "--framework", "soc2", "--team", "a", "--api", "b"], /--team or --api, not both/],
    ] as const) {
      const bad = await local([...argv]);
      expect(bad.code, argv.join(" ")).toBe(2);
      expect(bad.stderr, argv.join(" ")).toMatch(message);
    }
    const missing = await local(["report", "--framework", "soc2", "--team", "nobody"]);
    expect(missing).toMatchObject({ code: 1, stderr: "postern: Team nobody not found\n" });
  });

  it("sends the PDF's bytes intact through a running server's loopback door", async () => {
    const secret = newSecret();
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests += 1;
      markPeer(req);
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
        body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
        duplex: "half",
      } as RequestInit);
      void (async () => {
        const response = await handleCliRequest(request, { secret, database: async () => ({ prisma: db.prisma, describe: "served" }) });
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
        res.end();
      })().catch((error: unknown) => res.destroy(error as Error));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const dataDir = path.join(dir, "db");
      writeServerFile(path.join(dir, "server.json"), { pid: process.pid, port: (server.address() as AddressInfo).port, secret, dataDir });
      const out = bytesCollector();
      const err = bytesCollector();
      const code = await run(["report", "--framework", "owasp-api-2023", "--format", "pdf"], {
        stdout: out.stream,
        stderr: err.stream,
        env: { DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: dir },
        cwd: dir,
      });
      expect(err.bytes.toString("utf8")).toBe("");
      expect(code).toBe(0);
      expect(requests).toBe(1); // the server ran it
      const bytes = out.bytes;
      expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(bytes.subarray(-6).toString("latin1")).toMatch(/%%EOF\s*$/);
      expectPdfMatches(await pdfText(bytes), report);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
