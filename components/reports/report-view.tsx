import type { RouterOutputs } from "@/components/api-types";
import { ReportCharts } from "./report-charts";

type Report = RouterOutputs["reports"]["build"];
const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
const STATUS: Record<Report["controls"][number]["status"], { label: string; className: string }> = {
  passing: { label: "passing", className: "badge ok" },
  failing: { label: "failing", className: "badge bad" },
  not_assessed: { label: "not assessed", className: "badge" },
};

const day = (iso: string) => iso.slice(0, 10);
const percent = (share: number | null) => (share === null ? "n/a" : `${Math.round(share * 100)} %`);

/** A compliance report as the page shows and prints it: header scorecard, charts (with text), per-control table. */
export function ReportView({ report }: { report: Report }) {
  const s = report.summary;
  const open = SEVERITIES.reduce((n, sev) => n + s.openFindings[sev], 0);
  return (
    <article className="report" aria-labelledby="report-title">
      <header className="report-header">
        <h2 id="report-title">
          {report.framework.name} {report.framework.version}
        </h2>
        <p className="muted">
          {report.scope.label} · {day(report.period.from)} to {day(report.period.to)} · evidence: {report.evidence.length ? report.evidence.join(", ") : "none"} ·
          generated {report.generatedAt.replace("T", " ").slice(0, 16)} UTC
        </p>
        <dl className="grid-cards report-numbers">
          <div className="panel">
            <dt className="card-label">Passing</dt>
            <dd className="card-num">{s.passing}</dd>
          </div>
          <div className="panel">
            <dt className="card-label">Failing</dt>
            <dd className="card-num">{s.failing}</dd>
          </div>
          <div className="panel">
            <dt className="card-label">Not assessed</dt>
            <dd className="card-num">{s.notAssessed}</dd>
          </div>
          <div className="panel">
            <dt className="card-label">Apis in scope</dt>
            <dd className="card-num">{s.apisInScope}</dd>
          </div>
          <div className="panel">
            <dt className="card-label">Open findings behind controls</dt>
            <dd className="card-num">{open}</dd>
          </div>
          <div className="panel">
            <dt className="card-label">Closed within SLA</dt>
            <dd className="card-num">{percent(report.sla.share)}</dd>
            <dd className="muted">
              {report.sla.closedWithinSla} of {report.sla.closed}
            </dd>
          </div>
        </dl>
        <table className="mttr">
          <caption>Mean time to remediate in the period</caption>
          <thead>
            <tr>
              {SEVERITIES.filter((sev) => sev !== "info").map((sev) => (
                <th key={sev} scope="col">
                  {sev}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {SEVERITIES.filter((sev) => sev !== "info").map((sev) => {
                const m = report.mttrDays[sev];
                return <td key={sev}>{m.meanDays === null ? "n/a" : `${m.meanDays} days (${m.resolved})`}</td>;
              })}
            </tr>
          </tbody>
        </table>
      </header>
      <ReportCharts report={report} />
      <h3>Controls</h3>
      <table className="report-controls" data-testid="report-controls">
        <caption className="sr-only">Controls of the framework: status, Apis and open findings by severity at the end of the period</caption>
        <thead>
          <tr>
            <th scope="col">Control</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Apis</th>
            {SEVERITIES.map((sev) => (
              <th key={sev} scope="col">
                {sev}
              </th>
            ))}
            <th scope="col">Accepted</th>
          </tr>
        </thead>
        <tbody>
          {report.controls.map((c) => (
            <tr key={c.id} data-control={c.id}>
              <th scope="row" className="mono">
                {c.id}
              </th>
              <td>{c.title}</td>
              <td>
                <span className={STATUS[c.status].className}>{STATUS[c.status].label}</span>
              </td>
              <td>{c.apis}</td>
              {SEVERITIES.map((sev) => (
                <td key={sev}>{c.open[sev]}</td>
              ))}
              <td>{c.accepted}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        A control fails when an open finding (open, triaged or in progress) that maps to it stands at the end of the period, and is not assessed when no
        evidence source covering it had been ingested. States come from each finding&apos;s history, so a past period shows what was true then.
      </p>
    </article>
  );
}
