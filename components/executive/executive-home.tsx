import Link from "next/link";
import type { RouterOutputs } from "@/components/api-types";
import { BandBadge } from "@/components/overview/overview";
import { FrameworkScorecards } from "@/components/reports/framework-scorecards";
import { ReportChanges } from "@/components/reports/report-changes";
import { TrendChart } from "@/components/ui/trend-chart";
import { OpenedResolvedChart } from "./charts";

type Summary = RouterOutputs["executive"]["summary"];

function Change({ value, label }: { value: number | null; label: string }) {
  if (value === null) return <span className="muted">no {label} base</span>;
  // Faster remediation (fewer days) is better.
  const better = value < 0;
  return (
    <span className={value === 0 ? undefined : better ? "badge ok" : "badge bad"}>
      {value > 0 ? "+" : ""}
      {value} % {value === 0 ? "" : better ? "(faster)" : "(slower)"}
    </span>
  );
}

/** The executive home: aggregates only (no finding titles, no evidence). */
type Scorecards = RouterOutputs["reports"]["scorecards"];
/** The newest stored report and its changes (server caller's answer: dates may be Date objects). */
type LastReport = {
  run: { id: string; scopeLabel: string };
  document: { framework: { name: string }; period: { from: string; to: string }; summary: { failing: number; passing: number; notAssessed: number } } | null;
  previous: { id: string; periodFrom: Date | string; generatedAt: Date | string } | null;
  changes: NonNullable<RouterOutputs["reportSchedules"]["latest"]>["changes"];
} | null;

export function ExecutiveHome({ data, scorecards, lastReport }: { data: Summary; scorecards: Scorecards; lastReport: LastReport }) {
  const c = data.changes;
  return (
    <>
      <section className="panel" aria-labelledby="exec-trend" style={{ marginBottom: 16 }}>
        <h2 id="exec-trend">Organisation risk, last 90 days</h2>
        <TrendChart points={data.trend} table="weekly" />
      </section>

      <section className="panel" aria-labelledby="exec-changes" style={{ marginBottom: 16 }}>
        <h2 id="exec-changes">What changed in the last {c.days} days</h2>
        <ul>
          <li>
            New findings: {c.newFindings.critical} critical, {c.newFindings.high} high.
          </li>
          <li>
            Resolved findings: {c.resolvedFindings.critical} critical, {c.resolvedFindings.high} high.
          </li>
          <li>
            {c.bandRises.length === 0 ? (
              "No API moved to a higher risk band."
            ) : (
              <>
                {c.bandRises.length} API{c.bandRises.length === 1 ? "" : "s"} moved to a higher risk band:{" "}
                {c.bandRises.map((r, i) => (
                  <span key={r.slug}>
                    {i ? ", " : ""}
                    <Link href={`/apis/${encodeURIComponent(r.slug)}#risk`}>{r.name}</Link> ({r.from ?? "new"} → {r.to})
                  </span>
                ))}
              </>
            )}
          </li>
        </ul>
      </section>

      {lastReport?.document ? (
        <ReportChanges
          title="Since the last report"
          previous={lastReport.previous}
          changes={lastReport.changes}
          intro={
            <p>
              <Link href={`/reports/runs/${lastReport.run.id}`}>
                {lastReport.document.framework.name}, {lastReport.run.scopeLabel}, {lastReport.document.period.from.slice(0, 10)} to {lastReport.document.period.to.slice(0, 10)}
              </Link>
              : {lastReport.document.summary.failing} failing, {lastReport.document.summary.passing} passing, {lastReport.document.summary.notAssessed} not assessed.
            </p>
          }
        />
      ) : (
        <section className="panel" aria-labelledby="exec-last-report" style={{ marginBottom: 16 }}>
          <h2 id="exec-last-report">Since the last report</h2>
          <p className="muted">
            No stored report yet. <Link href="/reports/history">Scheduled reports</Link> keep one each week or month.
          </p>
        </section>
      )}

      <section className="panel" aria-labelledby="exec-top" style={{ marginBottom: 16 }}>
        <h2 id="exec-top">Top risks</h2>
        {data.topRisks.length === 0 ? (
          <p className="muted">No API has been scored yet.</p>
        ) : (
          <ol data-testid="top-risks">
            {data.topRisks.map((r) => (
              <li key={r.slug} style={{ marginBottom: 4 }}>
                <Link href={`/apis/${encodeURIComponent(r.slug)}#risk`}>{r.slug}</Link>: {r.summary}. <BandBadge band={r.band} />{" "}
                <span className="muted">score {r.score.toFixed(1)}</span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="exec-frameworks" style={{ marginBottom: 16 }}>
        <h2 id="exec-frameworks">Compliance by framework</h2>
        <FrameworkScorecards cards={scorecards} />
      </section>

      <section className="panel" aria-labelledby="exec-flow" style={{ marginBottom: 16 }}>
        <h2 id="exec-flow">Findings opened and resolved per week</h2>
        <OpenedResolvedChart weeks={data.weekly} />
      </section>

      <section className="panel" aria-labelledby="exec-mttr" style={{ marginBottom: 16 }}>
        <h2 id="exec-mttr">Mean time to remediate</h2>
        <p className="muted">Days from first seen to resolved, for findings resolved in the last 30 days, against the 30 days before and the same 30 days a year ago.</p>
        <table aria-labelledby="exec-mttr">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Last 30 days</th>
              <th>Resolved</th>
              <th>Previous 30 days</th>
              <th>Month over month</th>
              <th>A year ago</th>
              <th>Year over year</th>
            </tr>
          </thead>
          <tbody>
            {data.mttr.map((m) => (
              <tr key={m.severity}>
                <td>{m.severity}</td>
                <td>{m.days === null ? <span className="muted">none resolved</span> : `${m.days} days`}</td>
                <td>{m.resolved}</td>
                <td>{m.previousMonthDays === null ? <span className="muted">—</span> : `${m.previousMonthDays} days`}</td>
                <td>
                  <Change value={m.monthOverMonth} label="previous month" />
                </td>
                <td>{m.previousYearDays === null ? <span className="muted">—</span> : `${m.previousYearDays} days`}</td>
                <td>
                  <Change value={m.yearOverYear} label="last year" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="exec-sla" style={{ marginBottom: 16 }}>
        <h2 id="exec-sla">SLA compliance per team</h2>
        <p className="muted">Share of findings resolved in the last {data.periodDays} days that were resolved within their SLA, and what is overdue now.</p>
        {data.sla.length === 0 ? (
          <p className="muted">No finding with an SLA was resolved or is overdue.</p>
        ) : (
          <table aria-label="SLA compliance per team">
            <thead>
              <tr>
                <th>Team</th>
                <th>Resolved</th>
                <th>Within SLA</th>
                <th>Compliance</th>
                <th>Overdue now</th>
              </tr>
            </thead>
            <tbody>
              {data.sla.map((t) => (
                <tr key={t.team}>
                  <td>{t.team}</td>
                  <td>{t.closed}</td>
                  <td>{t.withinSla}</td>
                  <td>
                    {t.compliance === null ? (
                      <span className="muted">nothing resolved</span>
                    ) : (
                      <>
                        <meter min={0} max={100} low={80} high={95} optimum={100} value={t.compliance} aria-hidden="true" style={{ width: 80, marginRight: 6 }} />
                        {t.compliance} %
                      </>
                    )}
                  </td>
                  <td>{t.openOverdue ? <span className="badge bad">{t.openOverdue}</span> : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
