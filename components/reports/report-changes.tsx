import Link from "next/link";
import type React from "react";
import type { RouterOutputs } from "@/components/api-types";

type Detail = RouterOutputs["reportSchedules"]["run"];
const STATUS: Record<string, string> = { passing: "passing", failing: "failing", not_assessed: "not assessed" };
const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** "Changes since the previous run": controls whose status moved, and open findings by severity, before and after. */
export function ReportChanges({
  previous,
  changes,
  title = "Changes since the previous run",
  intro,
}: {
  previous: { id: string; periodFrom: Date | string; generatedAt: Date | string } | null;
  changes: Detail["changes"];
  title?: string;
  /** What the changes are of (the executive home names the report). */
  intro?: React.ReactNode;
}) {
  return (
    <section aria-labelledby="changes-title" className="panel report-changes">
      <h2 id="changes-title">{title}</h2>
      {intro}
      {!previous || !changes ? (
        <p className="muted">This is the first stored report of this schedule, framework and scope: nothing to compare with.</p>
      ) : (
        <>
          <p className="muted">
            Compared with <Link href={`/reports/runs/${previous.id}`}>the report of {day(previous.periodFrom)}</Link> (generated {day(previous.generatedAt)}). Passing{" "}
            {changes.passing.before} → {changes.passing.after}, failing {changes.failing.before} → {changes.failing.after}.
          </p>
          {changes.controls.length === 0 ? (
            <p>No control changed status.</p>
          ) : (
            <table aria-label="Controls whose status changed">
              <thead>
                <tr>
                  <th>Control</th>
                  <th>Title</th>
                  <th>Before</th>
                  <th>Now</th>
                </tr>
              </thead>
              <tbody>
                {changes.controls.map((c) => (
                  <tr key={c.id} data-control={c.id}>
                    <td className="mono">{c.id}</td>
                    <td>{c.title}</td>
                    <td>{c.from ? STATUS[c.from] : "new"}</td>
                    <td>{STATUS[c.to]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <table aria-label="Open findings by severity, before and now" className="mttr">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Before</th>
                <th>Now</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {changes.openFindings.map((s) => (
                <tr key={s.severity}>
                  <td>{s.severity}</td>
                  <td>{s.before}</td>
                  <td>{s.after}</td>
                  <td>{signed(s.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
