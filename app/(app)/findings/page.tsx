import Link from "next/link";
import { Suspense } from "react";
import { FindingsTable } from "@/components/findings/findings-table";
import { SeverityBadge, statusLabel } from "@/components/findings/labels";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";
import { seesAllApis } from "@/server/auth/roles";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { OWASP_API_CATEGORIES, OWASP_API_TITLES } from "@/server/domain/owasp";
import { SEVERITIES } from "@/server/domain/severity";

export const metadata = { title: "Findings" };

export default async function FindingsPage() {
  const { caller, actor } = await serverCaller();
  if (!can(actor, "findings:read")) {
    // Executives: counts only, never individual findings or evidence.
    const [{ total, facets }, overdue] = await Promise.all([caller.findings.summary({ status: "active" }), caller.findings.summary({ overdue: true })]);
    return (
      <>
        <h1>Findings</h1>
        <p className="muted">
          {total.toLocaleString("en")} active findings, {overdue.total.toLocaleString("en")} past their SLA. Individual findings and their
          evidence are visible to the security team and the owning developers; see <Link href="/reports">Reports</Link> for trends.
        </p>
        <div className="panel" style={{ padding: 0 }}>
          <table aria-label="Active findings by severity">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Active findings</th>
              </tr>
            </thead>
            <tbody>
              {SEVERITIES.map((s) => (
                <tr key={s}>
                  <td>
                    <SeverityBadge severity={s} />
                  </td>
                  <td>{facets.severity[s] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>By OWASP API Security Top 10 2023</h2>
        <div className="panel" style={{ padding: 0 }}>
          <table aria-label="Active findings by OWASP category">
            <thead>
              <tr>
                <th>Category</th>
                <th>Active findings</th>
              </tr>
            </thead>
            <tbody>
              {OWASP_API_CATEGORIES.map((c) => (
                <tr key={c}>
                  <td>
                    {c} {OWASP_API_TITLES[c]}
                  </td>
                  <td>{facets.owasp[c] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted">Statuses counted: {ACTIVE_STATUSES.map(statusLabel).join(", ")}.</p>
      </>
    );
  }
  return (
    <>
      <h1>Findings</h1>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <FindingsTable
          canSeeUnmapped={seesAllApis(actor)}
          bulk={
            can(actor, "findings:write")
              ? { userId: actor.userId, canDecide: can(actor, "findings:decide"), canMap: can(actor, "findings:map") }
              : undefined
          }
        />
      </Suspense>
    </>
  );
}
