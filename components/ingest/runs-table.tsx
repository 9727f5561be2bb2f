"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Pager } from "@/components/ui/pager";

export function RunsTable() {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const runs = useQuery({ ...trpc.ingest.runs.queryOptions({ page, pageSize: 25 }), placeholderData: keepPreviousData });
  const pages = runs.data ? Math.max(1, Math.ceil(runs.data.total / 25)) : 1;
  return (
    <section aria-label="Ingest history">
      <h2>History</h2>
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="Ingest runs">
          <thead>
            <tr>
              <th>When</th>
              <th>File</th>
              <th>Format</th>
              <th>Via</th>
              <th>Status</th>
              <th>Result</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.rows.map((run) => (
              <tr key={run.id}>
                <td>{new Date(run.startedAt).toLocaleString()}</td>
                <td>{run.fileName}</td>
                <td>{run.format ?? "—"}</td>
                <td>{run.channel}</td>
                <td>
                  <span className={`badge ${run.status === "succeeded" ? "ok" : run.status === "failed" || run.status === "interrupted" ? "bad" : ""}`}>{run.status}</span>
                </td>
                <td>
                  {run.error ? <span className={run.status === "failed" || run.status === "interrupted" ? "error" : "muted"}>{run.error}</span> : null}
                  {Object.entries(run.counts)
                    .filter(([, v]) => v)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(" · ")}
                  {run.errorCount ? <span className="badge warn">{run.errorCount} bad lines</span> : null}
                </td>
                <td>{run.durationMs != null ? `${run.durationMs} ms` : "…"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} pages={pages} onPage={setPage} />
    </section>
  );
}
