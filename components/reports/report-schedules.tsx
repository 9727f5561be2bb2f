"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";
import type { FrameworkId } from "@/server/compliance/frameworks";

type FrameworkOption = { id: FrameworkId; name: string };
const utc = (d: Date | string | null) => (d ? `${new Date(d).toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");

/**
 * Reports → history: the scheduled reports (security and admin): a form (name, framework, scope, cadence) and the
 * list with next and last run, pause / resume, delete and Run now. A run made lands in the history below.
 */
export function ReportSchedules({ frameworks, teams }: { frameworks: FrameworkOption[]; teams: { slug: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const schedules = useQuery(trpc.reportSchedules.list.queryOptions());
  const [scopeKind, setScopeKind] = useState<"all" | "team" | "api">("all");
  const [made, setMade] = useState<string | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.reportSchedules.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.reportSchedules.runs.pathKey() });
  };
  const create = useMutation(trpc.reportSchedules.create.mutationOptions({ onSuccess: refresh }));
  const setActive = useMutation(trpc.reportSchedules.setActive.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.reportSchedules.delete.mutationOptions({ onSuccess: refresh }));
  const runNow = useMutation(
    trpc.reportSchedules.runNow.mutationOptions({
      onSuccess: (run) => {
        setMade(run.status === "succeeded" ? `Report made for ${run.scopeLabel}, ${new Date(run.periodFrom).toISOString().slice(0, 10)}.` : `The run failed: ${run.error ?? ""}`);
        refresh();
      },
    }),
  );
  const frameworkName = (id: string) => frameworks.find((f) => f.id === id)?.name ?? id;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const slug = scopeKind === "team" ? String(form.get("team") ?? "") : scopeKind === "api" ? String(form.get("api") ?? "").trim() : "";
    create.mutate(
      {
        name: String(form.get("name") ?? ""),
        framework: frameworks.find((f) => f.id === form.get("framework"))?.id ?? frameworks[0]!.id,
        scopeKind,
        scopeSlug: scopeKind === "all" ? null : slug,
        cadence: form.get("cadence") === "monthly" ? "monthly" : "weekly",
      },
      { onSuccess: () => (event.target as HTMLFormElement).reset() },
    );
  }
  const error = create.error ?? setActive.error ?? remove.error ?? runNow.error;

  return (
    <section aria-labelledby="schedules-title" className="report-schedules">
      <h2 id="schedules-title">Scheduled reports</h2>
      <p className="muted">
        Weekly reports cover the previous full week (Monday to Monday, UTC), monthly ones the previous calendar month. Each runs as its owner, with that person&apos;s
        rights at the time; webhooks receive a <code>report.generated</code> event.
      </p>
      <form className="toolbar report-form" onSubmit={onSubmit} aria-label="New scheduled report">
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          Framework
          <select name="framework" defaultValue={frameworks[0]?.id}>
            {frameworks.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Scope
          <select name="scope" value={scopeKind} onChange={(e) => setScopeKind(e.target.value as "all" | "team" | "api")}>
            <option value="all">All Apis</option>
            <option value="team">One team</option>
            <option value="api">One Api</option>
          </select>
        </label>
        {scopeKind === "team" ? (
          <label>
            Team
            <select name="team" required defaultValue={teams[0]?.slug}>
              {teams.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {scopeKind === "api" ? (
          <label>
            Api (slug)
            <input name="api" required maxLength={200} placeholder="orders-api" size={16} />
          </label>
        ) : null}
        <label>
          Cadence
          <select name="cadence" defaultValue="weekly">
            <option value="weekly">Weekly</option>
            <option value="monthly">Monthly</option>
          </select>
        </label>
        <button className="primary" type="submit" disabled={create.isPending}>
          Add schedule
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : null}
      <p role="status" className="muted">
        {made ?? ""}
      </p>
      <div className="panel" style={{ padding: 0 }}>
        <table aria-label="Report schedules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Framework</th>
              <th>Scope</th>
              <th>Cadence</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Owner</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {schedules.data?.map((s) => (
              <tr key={s.id} data-schedule={s.name}>
                <td>
                  {s.name}
                  {s.active ? null : <span className="muted"> (paused)</span>}
                </td>
                <td>{frameworkName(s.framework)}</td>
                <td>{s.scopeKind === "all" ? "All Apis" : `${s.scopeKind === "team" ? "Team" : "Api"} ${s.scopeSlug ?? ""}`}</td>
                <td>{s.cadence}</td>
                <td className="mono">{s.active ? utc(s.nextRunAt) : "paused"}</td>
                <td>
                  <span className="mono">{utc(s.lastRunAt)}</span>
                  {s.lastRun?.status === "failed" ? <span className="error"> failed: {s.lastRun.error}</span> : null}
                </td>
                <td>{s.owner ?? <span className="muted">gone</span>}</td>
                <td style={{ whiteSpace: "nowrap" }}>
                  <button type="button" onClick={() => runNow.mutate({ id: s.id })} disabled={runNow.isPending} aria-label={`Run now: ${s.name}`}>
                    Run now
                  </button>{" "}
                  <button type="button" onClick={() => setActive.mutate({ id: s.id, active: !s.active })} aria-label={`${s.active ? "Pause" : "Resume"}: ${s.name}`}>
                    {s.active ? "Pause" : "Resume"}
                  </button>{" "}
                  <button
                    type="button"
                    onClick={() => window.confirm(`Delete the schedule ${s.name}? Its reports stay in the history.`) && remove.mutate({ id: s.id })}
                    aria-label={`Delete: ${s.name}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {schedules.data && schedules.data.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No scheduled reports yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
