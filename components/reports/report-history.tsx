"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Pager, SkipToPager } from "@/components/ui/pager";
import { useTRPC } from "@/components/trpc";

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);
/** A period's end is exclusive: the last day it covers is the day before. */
const lastDay = (d: Date | string) => day(new Date(new Date(d).getTime() - 86_400_000));

/** The report history: stored runs, newest first, with links to the run page and its PDF and JSON. */
export function ReportHistory({ frameworks }: { frameworks: { id: string; name: string }[] }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const runs = useQuery(trpc.reportSchedules.runs.queryOptions({ page, pageSize: 25 }));
  const frameworkName = (id: string) => frameworks.find((f) => f.id === id)?.name ?? id;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Report history</h2>
      <p className="muted">Each stored report shows what was true in its period, as it was when it was made. Its CSV is not kept: finding rows are today&apos;s.</p>
      <SkipToPager id="history-pager" />
      <div className="panel" style={{ padding: 0 }}>
        <table aria-label="Report history">
          <thead>
            <tr>
              <th>Generated</th>
              <th>Framework</th>
              <th>Scope</th>
              <th>Period</th>
              <th>Passing</th>
              <th>Failing</th>
              <th>Not assessed</th>
              <th>Report</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.items.map((r) => (
              <tr key={r.id} data-run={r.id}>
                <td className="mono">{new Date(r.generatedAt).toISOString().slice(0, 16).replace("T", " ")}</td>
                <td>
                  {frameworkName(r.framework)}
                  {r.scheduleName ? <div className="muted">{r.scheduleName}</div> : null}
                </td>
                <td>{r.scopeLabel}</td>
                <td className="mono">
                  {day(r.periodFrom)} to {lastDay(r.periodTo)}
                </td>
                {r.status === "failed" ? (
                  <td colSpan={3} className="error">
                    failed: {r.error}
                  </td>
                ) : (
                  <>
                    <td>{r.passing}</td>
                    <td>{r.failing}</td>
                    <td>{r.notAssessed}</td>
                  </>
                )}
                <td style={{ whiteSpace: "nowrap" }}>
                  <Link href={`/reports/runs/${r.id}`}>View</Link>
                  {r.status === "succeeded" ? (
                    <>
                      {" · "}
                      <a href={`/api/reports/runs/${r.id}?format=pdf`} download>
                        PDF
                      </a>
                      {" · "}
                      <a href={`/api/reports/runs/${r.id}?format=json`} download>
                        JSON
                      </a>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
            {runs.data && runs.data.items.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No stored reports yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager id="history-pager" page={page} pages={runs.data?.pages ?? 1} total={runs.data?.total} noun="reports" onPage={setPage} />
    </section>
  );
}
