/**
 * buildReport: a framework's compliance report for a scope and period, as the typed JSON document (./schema.ts)
 * that the page shows and the PDF, the JSON export and the report history are made from.
 */
import type { Actor } from "@/server/auth/roles";
import { evaluateFramework } from "@/server/compliance/evaluate";
import { FRAMEWORKS } from "@/server/compliance/frameworks";
import type { Db } from "@/server/db/client";
import { type Report, report, type ReportParams } from "./schema";

export async function buildReport(prisma: Db, actor: Actor, params: ReportParams, now: Date = new Date()): Promise<Report> {
  const e = await evaluateFramework(prisma, actor, params);
  const framework = FRAMEWORKS[params.framework];
  const failingControls = e.trendPoints.map((_, k) => e.controls.filter((c) => (c.trend[k] ?? 0) > 0).length);
  return report.parse({
    kind: "postern.compliance-report",
    version: 1,
    generatedAt: now.toISOString(),
    framework: { id: framework.id, name: framework.name, version: framework.version },
    scope: e.scope,
    period: { from: e.from.toISOString(), to: e.to.toISOString() },
    evidence: e.evidence,
    summary: {
      controls: e.controls.length,
      passing: e.summary.passing,
      failing: e.summary.failing,
      notAssessed: e.summary.notAssessed,
      apisInScope: e.apisInScope,
      openFindings: e.openFindings,
    },
    sla: e.sla,
    mttrDays: e.mttrDays,
    trend: { points: e.trendPoints.map((d) => d.toISOString()), failingControls },
    controls: e.controls.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      apis: c.apis,
      open: c.open,
      openTotal: c.openTotal,
      accepted: c.accepted,
      trend: c.trend,
    })),
  });
}
