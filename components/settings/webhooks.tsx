"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";

const EVENTS = ["finding.status", "finding.assigned", "finding.comment", "finding.regression", "report.generated", "webhook.test"] as const;

/** Settings → Webhooks: create (the secret shown once), pause, send a test, delete, and each webhook's delivery log. */
export function Webhooks({ teams }: { teams: { slug: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hooks = useQuery(trpc.webhooks.list.queryOptions());
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
  const create = useMutation(trpc.webhooks.create.mutationOptions({ onSuccess: (r) => (setCreated({ name: r.webhook.name, secret: r.secret }), refresh()) }));
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.webhooks.delete.mutationOptions({ onSuccess: refresh }));
  const test = useMutation(
    trpc.webhooks.test.mutationOptions({
      onSuccess: (_d, v) => (refresh(), queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey({ id: v.id }) }), setOpen(v.id)),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const events = form.getAll("event").map(String).filter((e): e is (typeof EVENTS)[number] => (EVENTS as readonly string[]).includes(e));
    create.mutate({
      name: String(form.get("name") ?? ""),
      url: String(form.get("url") ?? ""),
      format: form.get("format") === "slack" ? "slack" : "json",
      team: String(form.get("team") ?? "") || null,
      events,
    });
  }
  const error = create.error ?? update.error ?? remove.error ?? test.error;

  return (
    <section aria-label="Webhooks">
      <h1>Webhooks</h1>
      <p className="muted">
        Postern POSTs finding events and scheduled reports to these URLs, signed: <code>Postern-Signature: t=&lt;unix seconds&gt;,v1=&lt;HMAC-SHA256 of &quot;t.body&quot;&gt;</code>. Failed
        deliveries are retried (30 s, 1 min, 2 min … 8 attempts). A team&apos;s webhook receives that team&apos;s events; a global one all.
      </p>
      <form className="toolbar" onSubmit={onSubmit} aria-label="New webhook">
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          URL
          <input name="url" type="url" required maxLength={2000} placeholder="https://hooks.example.com/postern" />
        </label>
        <label>
          Team
          <select name="team" defaultValue="">
            <option value="">All teams (global)</option>
            {teams.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Format
          <select name="format" defaultValue="json">
            <option value="json">JSON</option>
            <option value="slack">Slack-compatible ({"{"}&quot;text&quot;{"}"})</option>
          </select>
        </label>
        <fieldset style={{ border: 0, display: "flex", gap: 8, padding: 0 }}>
          <legend className="muted">Events (none ticked: all)</legend>
          {EVENTS.map((e) => (
            <label key={e} style={{ flexDirection: "row", gap: 4 }}>
              <input type="checkbox" name="event" value={e} /> {e}
            </label>
          ))}
        </fieldset>
        <button className="primary" type="submit" disabled={create.isPending}>
          Add webhook
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : null}
      {created ? (
        <div className="panel" role="status">
          <p>The signing secret of {created.name}; copy it now, it will not be shown again:</p>
          <p className="token-once mono">{created.secret}</p>
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <div className="panel" style={{ padding: 0, marginTop: 12 }}>
        <table aria-label="Webhook list">
          <thead>
            <tr>
              <th>Name</th>
              <th>URL</th>
              <th>Team</th>
              <th>Format</th>
              <th>Events</th>
              <th>Last delivery</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {hooks.data?.map((h) => (
              <tr key={h.id}>
                <td>
                  {h.name}
                  {h.active ? null : <span className="muted"> (paused)</span>}
                </td>
                <td className="mono">{h.url}</td>
                <td>{h.team ?? <span className="muted">global</span>}</td>
                <td>{h.format}</td>
                <td>{h.events.length ? h.events.join(", ") : <span className="muted">all</span>}</td>
                <td>{h.lastDelivery ? `${h.lastDelivery.status}${h.lastDelivery.lastStatusCode ? ` (${h.lastDelivery.lastStatusCode})` : ""}` : <span className="muted">none</span>}</td>
                <td style={{ whiteSpace: "nowrap" }}>
                  <button type="button" onClick={() => test.mutate({ id: h.id })} disabled={test.isPending}>
                    Send test
                  </button>{" "}
                  <button type="button" onClick={() => update.mutate({ id: h.id, active: !h.active })}>
                    {h.active ? "Pause" : "Resume"}
                  </button>{" "}
                  <button type="button" onClick={() => setOpen(open === h.id ? null : h.id)}>
                    Deliveries
                  </button>{" "}
                  <button type="button" onClick={() => window.confirm(`Delete webhook ${h.name}?`) && remove.mutate({ id: h.id })}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {hooks.data && hooks.data.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No webhooks yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {open ? <Deliveries id={open} /> : null}
    </section>
  );
}

function Deliveries({ id }: { id: string }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.webhooks.deliveries.queryOptions({ id }, { refetchInterval: 10_000 }));
  return (
    <section aria-label="Delivery log" className="panel" style={{ padding: 0, marginTop: 12 }}>
      <table aria-label="Deliveries">
        <thead>
          <tr>
            <th>Created</th>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Response</th>
            <th>Next attempt / delivered</th>
          </tr>
        </thead>
        <tbody>
          {log.data?.map((d) => (
            <tr key={d.id}>
              <td className="mono">{new Date(d.createdAt).toLocaleString()}</td>
              <td>{d.eventType}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.lastStatusCode ?? d.lastError ?? ""}</td>
              <td className="mono">
                {d.deliveredAt ? new Date(d.deliveredAt).toLocaleString() : d.status === "pending" ? new Date(d.nextAttemptAt).toLocaleString() : ""}
              </td>
            </tr>
          ))}
          {log.data && log.data.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                No deliveries yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
