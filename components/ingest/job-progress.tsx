"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "@/components/trpc";
import type { IngestJobView, JobFilePhase, JobStatus } from "@/server/ingest/jobs";
import type { IngestResult } from "@/server/ingest/pipeline";

// Types only (erased from the bundle): IngestJobView is the JSON of GET /api/ingest/jobs/<id>.

class JobRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const isFinished = (status: JobStatus) => status === "succeeded" || status === "failed" || status === "cancelled";

// Plain fetch, not tRPC: creating a tRPC context reads the session from the database, which is busy while an
// ingest transaction runs on the embedded one. These routes answer from memory.
async function jobRequest(url: string, init?: RequestInit): Promise<IngestJobView> {
  const response = await fetch(url, { cache: "no-store", ...init });
  const body = (await response.json().catch(() => ({}))) as Partial<IngestJobView> & { error?: string };
  if (!response.ok) throw new JobRequestError(body.error ?? `request failed (${response.status})`, response.status);
  return body as IngestJobView;
}

const PHASES: Record<JobFilePhase, string> = {
  queued: "Waiting for earlier ingests",
  hashing: "Checking content",
  ingesting: "Reading and storing",
  finishing: "Saving and recomputing risk",
  done: "Done",
};

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

const num = (n: number) => n.toLocaleString("en");

function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(" · ");
}

/** A file's final result: status, detected format, counts, warnings and line errors. */
export function RunResultView({ result }: { result: IngestResult }) {
  return (
    <div>
      <span className={`badge ${result.status === "succeeded" ? "ok" : result.status === "duplicate" ? "" : "bad"}`}>{result.status}</span>
      {result.format ? <span className="badge">format: {result.format}</span> : null}
      <span>{summary(result.counts)}</span>
      {result.message ? <p className={result.status === "failed" ? "error" : "muted"}>{result.message}</p> : null}
      {result.warnings.length ? (
        <details>
          <summary>{result.warnings.length} warnings</summary>
          <ul>
            {result.warnings.map((w, i) => (
              <li key={i}>
                {w.line ? `line ${w.line}: ` : ""}
                {w.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {result.errorCount ? (
        <details>
          <summary>{result.errorCount} lines could not be read</summary>
          <ul>
            {result.lineErrors.map((e, i) => (
              <li key={i}>
                line {e.line}: {e.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

function Bar({ percent, label }: { percent: number; label: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
      style={{ display: "inline-block", verticalAlign: "middle", width: 240, height: 8, borderRadius: 4, background: "var(--panel-2)", border: "1px solid var(--border)", overflow: "hidden" }}
    >
      <div style={{ width: `${percent}%`, height: "100%", background: "var(--accent)", transition: "width .4s" }} />
    </div>
  );
}

/** Live progress of a background ingest job (polled every second until it ends), then each file's result. */
export function JobProgress({ jobId }: { jobId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queryKey = ["ingest-job", jobId];
  const job = useQuery({
    queryKey,
    queryFn: () => jobRequest(`/api/ingest/jobs/${encodeURIComponent(jobId)}`),
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data.status)) || query.state.error ? false : 1000,
    refetchIntervalInBackground: true,
    // 404: the job expired or the server restarted; asking again will not bring it back.
    retry: (count, error) => !(error instanceof JobRequestError && error.status === 404) && count < 3,
  });
  const cancel = useMutation({
    mutationFn: () => jobRequest(`/api/ingest/jobs/${encodeURIComponent(jobId)}/cancel`, { method: "POST" }),
    onSuccess: (view) => queryClient.setQueryData(queryKey, view),
  });

  const finished = job.data ? isFinished(job.data.status) : false;
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: trpc.ingest.runs.queryKey() });
  }, [finished, queryClient, trpc]);

  if (job.error) {
    return (
      <span role="alert" className="error">
        {job.error instanceof JobRequestError && job.error.status === 404
          ? "this ingest is no longer known to the server (it may have restarted); see the history below"
          : job.error.message}
      </span>
    );
  }
  if (!job.data) return <span className="muted">starting…</span>;
  const view = job.data;
  const single = view.files.length === 1;
  return (
    <div data-testid="ingest-job" data-status={view.status}>
      {view.files.map((file, i) => (
        <div key={i}>
          {single ? null : <strong>{file.name} </strong>}
          {file.phase === "done" ? (
            file.result ? (
              <RunResultView result={file.result} />
            ) : (
              <span>
                <span className="badge bad">{file.status}</span> <span className={file.status === "cancelled" ? "muted" : "error"}>{file.error}</span>
              </span>
            )
          ) : (
            <div>
              <span className="muted">{PHASES[file.phase]}</span> <Bar percent={file.percent} label={`${PHASES[file.phase]}: ${file.name}`} />{" "}
              <span>{file.percent.toFixed(1)}%</span>
              <div className="muted" style={{ fontSize: 12.5 }}>
                {num(file.records)} records · {num(file.lines)} lines · {num(file.linesPerSecond)} lines/s · elapsed {duration(file.elapsedMs)} ·{" "}
                {(file.bytesRead / 1e6).toFixed(1)} of {(file.sizeBytes / 1e6).toFixed(1)} MB
              </div>
            </div>
          )}
        </div>
      ))}
      {finished || view.files.every((f) => f.phase === "done") ? null : (
        <button
          type="button"
          onClick={() => cancel.mutate()}
          disabled={view.cancelRequested || cancel.isPending}
          aria-label={`Cancel ingest of ${view.files.map((f) => f.name).join(", ")}`}
          style={{ marginTop: 6 }}
        >
          {view.cancelRequested ? "Cancelling…" : "Cancel"}
        </button>
      )}
      {cancel.error ? (
        <span role="alert" className="error">
          {" "}
          {cancel.error.message}
        </span>
      ) : null}
      {finished && !single ? <p className="muted">Finished in {duration(view.elapsedMs)}.</p> : null}
    </div>
  );
}
