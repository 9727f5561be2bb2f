/**
 * documentation-gaps (DESIGN.md §3): one low finding per Api rolling up
 * - per documented endpoint: no summary and no description, no 2xx response schema, no security statement
 *   (undeclared; `security: []` is a statement), no examples;
 * - per Api: no owner and no contact, no version; no endpoint documentation at all (a catalog/CSV entry only);
 *   OWASP Spectral rules failing on the latest spec ("N OWASP Spectral rules failing", from Api.specLint, written at
 *   ingest by server/ingest/spec-lint.ts).
 * Evidence: counts per gap, up to MAX_LISTED endpoints with their gaps, gapRatio = endpoints with a gap ÷
 * documented endpoints (the risk score uses it), and docsCoverage = documented ÷ observed endpoints (percent)
 * when traffic for the Api is known (observedEndpoints > 0), else null.
 * The evidence carries the Spectral summary (status, counts by severity, failing rules, the first examples) when the
 * Api has one. A spec that was not linted (too large, over the time budget) adds no gap; its status says why.
 * Apis known only from traffic are left to shadow-api.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { SpecLintSummary } from "@/server/domain/records";
import type { DerivedFinding, Rule } from "../../rule";
import { type EndpointRow, label, scopeApis, scopeEndpoints } from "./common";

const MAX_LISTED = 50;
/** Spectral examples copied into the finding's evidence (the Api keeps up to 50). */
const MAX_LINT_EXAMPLES = 10;

/** The stored Spectral summary when it has the expected shape, else null. */
export function specLintOf(value: Prisma.JsonValue): SpecLintSummary | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.status !== "string" || !Array.isArray(v.rules) || typeof v.failingOwaspRules !== "number") return null;
  return value as unknown as SpecLintSummary;
}

function lintEvidence(lint: SpecLintSummary): Prisma.InputJsonObject {
  const evidence = {
    status: lint.status,
    ...(lint.reason ? { reason: lint.reason } : {}),
    rulesets: lint.rulesets,
    counts: lint.counts,
    total: lint.total,
    failingRules: lint.failingRules,
    failingOwaspRules: lint.failingOwaspRules,
    rules: lint.rules,
    examples: (lint.examples ?? []).slice(0, MAX_LINT_EXAMPLES),
  };
  return evidence as unknown as Prisma.InputJsonObject;
}

export function endpointGaps(e: EndpointRow): string[] {
  const gaps: string[] = [];
  if (!e.summary?.trim() && !e.hasDescription) gaps.push("no summary or description");
  if (!e.hasSuccessSchema) gaps.push("no 2xx response schema");
  if (e.securityMode === "undeclared") gaps.push("no security statement");
  if (!e.hasExamples) gaps.push("no examples");
  return gaps;
}

export const documentationGaps: Rule = {
  id: "documentation-gaps",
  kind: "posture",
  description:
    "Endpoints without summary, 2xx schema, security statement or examples; Apis without owner/contact or version, or failing OWASP Spectral rules.",
  async evaluate(ctx) {
    const [apis, endpoints] = await Promise.all([scopeApis(ctx), scopeEndpoints(ctx)]);
    const out: DerivedFinding[] = [];
    for (const api of apis) {
      if (api.discoveredFromTraffic && api.sourceFormats.length === 0) continue;
      const all = endpoints.get(api.id) ?? [];
      const documented = all.filter((e) => e.documented);
      const apiGaps: string[] = [];
      if (!api.ownerTeamId && !api.contact) apiGaps.push("no owner or contact");
      if (!api.version?.trim()) apiGaps.push("no version");
      if (documented.length === 0) apiGaps.push("no endpoint documentation");
      const lint = specLintOf(api.specLint);
      if (lint?.status === "ok" && lint.failingOwaspRules > 0) {
        apiGaps.push(`${lint.failingOwaspRules} OWASP Spectral rule${lint.failingOwaspRules === 1 ? "" : "s"} failing`);
      }
      const counts: Record<string, number> = {};
      const listed: string[] = [];
      let withGaps = 0;
      for (const e of documented) {
        const gaps = endpointGaps(e);
        if (gaps.length === 0) continue;
        withGaps += 1;
        for (const g of gaps) counts[g] = (counts[g] ?? 0) + 1;
        if (listed.length < MAX_LISTED) listed.push(`${label(e)}: ${gaps.join(", ")}`);
      }
      if (withGaps === 0 && apiGaps.length === 0) continue;
      const observed = all.filter((e) => e.observed);
      const docsCoverage = observed.length > 0 ? Math.round((observed.filter((e) => e.documented).length / observed.length) * 1000) / 10 : null;
      const gapRatio = documented.length ? withGaps / documented.length : 1;
      const summary = [
        withGaps ? `${withGaps} of ${documented.length} documented endpoints have gaps` : null,
        ...apiGaps,
        docsCoverage !== null ? `${docsCoverage}% of observed endpoints documented` : null,
      ].filter(Boolean);
      out.push({
        ruleId: "documentation-gaps",
        kind: "posture",
        apiId: api.id,
        subject: "",
        title: `Documentation gaps: ${api.name}`,
        description: `${summary.join("; ")}.`,
        severity: "low",
        owaspCategory: "API9",
        cwe: 1059,
        evidence: {
          apiGaps,
          endpointGapCounts: counts,
          endpointsWithGaps: withGaps,
          documentedEndpoints: documented.length,
          observedEndpoints: observed.length,
          gapRatio: Math.round(gapRatio * 1000) / 1000,
          docsCoverage,
          endpoints: listed,
          ...(withGaps > listed.length ? { endpointsNotListed: withGaps - listed.length } : {}),
          ...(lint ? { specLint: lintEvidence(lint) } : {}),
        },
      });
    }
    return out;
  },
};
