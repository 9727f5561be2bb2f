/**
 * The compliance report as a download: GET /api/v1/reports (bearer token, scope reports:read) for scripts, and
 * GET /api/reports/export (session cookie) for the Reports page's buttons. Query: framework, team | api, from, to,
 * format pdf | csv | json. Same services as the page and the CLI (server/reports/*): JSON and PDF are aggregates
 * (every role; developers: their teams' Apis); the CSV of finding rows also needs findings:read and is streamed.
 * The report history: GET /api/v1/reports/runs and /api/v1/reports/runs/{id} (token), /api/reports/runs/{id}
 * (session, the history page's downloads).
 */
import { z } from "zod";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { buildReport } from "@/server/reports/build";
import { streamReportCsv } from "@/server/reports/csv";
import { renderReportPdf } from "@/server/reports/pdf";
import { listRuns, runDocument } from "@/server/reports/runs";
import { REPORT_FORMATS, type ReportParams, reportParams, reportRequest } from "@/server/reports/schema";
import { downloadResponse, queryObject, textStream } from "./rest";
import { withToken } from "./token-route";

export const reportQuery = z
  .object({
    framework: z.string(),
    team: z.string().optional(),
    api: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    format: z.enum(REPORT_FORMATS).default("json"),
  })
  .strict();

/** The query as report parameters and a format; empty values count as absent. Throws ZodError (400) otherwise. */
export function parseReportQuery(search: URLSearchParams): { params: ReportParams; format: (typeof REPORT_FORMATS)[number] } {
  const { format, ...rest } = reportQuery.parse(queryObject(search));
  return { params: reportParams(reportRequest.parse(rest)), format };
}

const JSON_TYPE = "application/json; charset=utf-8";

/** A report's scope in a file name: "all", or "team-<slug>" / "api-<slug>". */
function scopeInName(kind: string, slug: string | null): string {
  return kind === "all" ? "all" : `${kind}-${(slug ?? "").replace(/[^a-z0-9-]/g, "")}`;
}

function fileName(params: ReportParams, extension: string): string {
  const scope = scopeInName(params.scope.kind, params.scope.kind === "all" ? null : params.scope.slug);
  return `postern-${params.framework}-${scope}-${params.to.toISOString().slice(0, 10)}.${extension}`;
}

/** The report in the asked format, with its Content-Type and Content-Disposition. */
export async function reportResponse(prisma: Db, actor: Actor, search: URLSearchParams, signal?: AbortSignal): Promise<Response> {
  const { params, format } = parseReportQuery(search);
  if (format === "csv") {
    const lines = streamReportCsv(prisma, actor, params, signal);
    // The first chunk (the header row) is read before answering, so a refusal (403, 404) is an error answer.
    const first = await lines.next();
    return downloadResponse(textStream(lines, first), { filename: fileName(params, "csv"), contentType: "text/csv; charset=utf-8" });
  }
  const report = await buildReport(prisma, actor, params);
  if (format === "json") return downloadResponse(JSON.stringify(report), { filename: fileName(params, "json"), contentType: JSON_TYPE });
  return downloadResponse(await renderReportPdf(report), { filename: fileName(params, "pdf"), contentType: "application/pdf" });
}

/** GET /api/v1/reports?framework=&team=&api=&from=&to=&format= */
export function reportsRoute(request: Request, open: () => Promise<Db>): Promise<Response> {
  return withToken(request, open, "reports:read", "reports:read", (actor, prisma) => reportResponse(prisma, actor, new URL(request.url).searchParams, request.signal));
}

// ---------------------------------------------------------------------------------------------------------------
// The report history: stored runs (server/reports/runs.ts). A run's JSON and PDF are made from its stored document,
// so they show what was true when it ran. There is no CSV of a stored run: the CSV lists finding rows, which are
// never stored with a run (aggregates only), and today's rows under an old report would contradict it.

export const RUN_FORMATS = ["json", "pdf"] as const;
const runsQuery = z
  .object({ schedule: z.string().min(1).max(64).optional(), page: z.coerce.number().int().min(1).max(10_000).default(1), pageSize: z.coerce.number().int().min(1).max(100).default(25) })
  .strict();
const runQuery = z.object({ format: z.enum(RUN_FORMATS).default("json") }).strict();

/** The history as JSON: newest first, paged. */
export async function runsResponse(prisma: Db, actor: Actor, search: URLSearchParams): Promise<Response> {
  const q = runsQuery.parse(queryObject(search));
  return Response.json(await listRuns(prisma, actor, { scheduleId: q.schedule, page: q.page, pageSize: q.pageSize }));
}

/** One stored run's report, as JSON (the document) or PDF, as an attachment. */
export async function runResponse(prisma: Db, actor: Actor, runId: string, search: URLSearchParams): Promise<Response> {
  const { format } = runQuery.parse(queryObject(search));
  const { run, document } = await runDocument(prisma, actor, runId);
  const name = `postern-${run.framework}-${scopeInName(run.scopeKind, run.scopeSlug)}-${run.periodFrom.toISOString().slice(0, 10)}-run-${run.id.replace(/[^a-zA-Z0-9]/g, "")}`;
  if (format === "json") return downloadResponse(JSON.stringify(document), { filename: `${name}.json`, contentType: JSON_TYPE });
  return downloadResponse(await renderReportPdf(document), { filename: `${name}.pdf`, contentType: "application/pdf" });
}

/** GET /api/v1/reports/runs?schedule=&page=&pageSize= */
export function runsRoute(request: Request, open: () => Promise<Db>): Promise<Response> {
  return withToken(request, open, "reports:read", "reports:read", (actor, prisma) => runsResponse(prisma, actor, new URL(request.url).searchParams));
}

/** GET /api/v1/reports/runs/{id}?format=json|pdf */
export function runRoute(request: Request, runId: string, open: () => Promise<Db>): Promise<Response> {
  return withToken(request, open, "reports:read", "reports:read", (actor, prisma) => runResponse(prisma, actor, runId, new URL(request.url).searchParams));
}
