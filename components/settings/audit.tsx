"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";

interface Filter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}

/** Settings → Audit: filter the audit log, export it as CSV (streamed by /api/audit/export), set its retention. */
export function AuditLog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>({});
  const [page, setPage] = useState(1);
  const query = {
    ...filter,
    from: filter.from ? new Date(`${filter.from}T00:00:00Z`) : undefined,
    to: filter.to ? new Date(`${filter.to}T23:59:59.999Z`) : undefined,
  };
  const list = useQuery(trpc.audit.list.queryOptions({ ...query, page, pageSize: 50 }));
  const retention = useQuery(trpc.audit.retention.queryOptions());
  const setRetention = useMutation(
    trpc.audit.setRetention.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.audit.retention.queryKey(), data) }),
  );
  const pages = Math.max(1, Math.ceil((list.data?.total ?? 0) / 50));
  const exportParams = new URLSearchParams(
    Object.entries({ ...filter, from: query.from?.toISOString(), to: query.to?.toISOString() }).filter((e): e is [string, string] => !!e[1]),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (k: string) => String(form.get(k) ?? "").trim() || undefined;
    setFilter({ actor: value("actor"), action: value("action"), targetType: value("targetType"), targetId: value("targetId"), from: value("from"), to: value("to") });
    setPage(1);
  }
  function onRetention(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setRetention.mutate({ days: Number(new FormData(event.currentTarget).get("days")) });
  }

  return (
    <section aria-label="Audit log">
      <h1>Audit log</h1>
      <form className="toolbar" onSubmit={onSubmit} aria-label="Audit filter">
        <label>
          Actor
          <input name="actor" placeholder="email, id or system" maxLength={320} />
        </label>
        <label>
          Action
          <input name="action" placeholder="finding." maxLength={100} />
        </label>
        <label>
          Target type
          <input name="targetType" placeholder="finding" maxLength={100} />
        </label>
        <label>
          Target id
          <input name="targetId" maxLength={200} />
        </label>
        <label>
          From
          <input name="from" type="date" />
        </label>
        <label>
          To
          <input name="to" type="date" />
        </label>
        <button className="primary" type="submit">
          Filter
        </button>
        <a href={`/api/audit/export?${exportParams.toString()}`} download>
          Export CSV
        </a>
      </form>
      {list.error ? (
        <p className="error" role="alert">
          {list.error.message}
        </p>
      ) : null}
      <div className="panel" style={{ padding: 0 }}>
        <table aria-label="Audit records">
          <thead>
            <tr>
              <th>Time</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((r) => (
              <tr key={r.id}>
                <td className="mono">{new Date(r.createdAt).toLocaleString()}</td>
                <td>{r.actor ?? r.actorType}</td>
                <td className="mono">{r.action}</td>
                <td className="mono">{r.targetType ? `${r.targetType} ${r.targetId ?? ""}` : ""}</td>
                <td className="mono" style={{ maxWidth: 480, overflowWrap: "anywhere" }}>
                  {r.details === null || r.details === undefined ? "" : JSON.stringify(r.details)}
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No records match.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="toolbar">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span className="muted">
          Page {page} of {pages} ({list.data?.total ?? 0} records)
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </div>
      <h2>Retention</h2>
      {retention.data ? (
        <form className="toolbar" onSubmit={onRetention} aria-label="Audit retention">
          <label>
            Keep records for (days)
            <input name="days" type="number" min={1} max={36500} defaultValue={retention.data.days} key={retention.data.days} />
          </label>
          <button type="submit" disabled={setRetention.isPending}>
            Save
          </button>
          <span className="muted">Older records are deleted by an hourly purge in the server (the purge is itself audited).</span>
        </form>
      ) : null}
      {setRetention.error ? (
        <p className="error" role="alert">
          {setRetention.error.message}
        </p>
      ) : null}
    </section>
  );
}
