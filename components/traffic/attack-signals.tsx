"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";

/** Active traffic findings (attack signals), most recent first. */
export function AttackSignals() {
  const trpc = useTRPC();
  const q = useQuery(trpc.traffic.attackSignals.queryOptions({ limit: 200 }));
  if (q.isLoading) return <p className="muted">Loading…</p>;
  if (q.error) return <p className="badge bad">Attack signals could not be loaded: {q.error.message}</p>;
  const rows = q.data ?? [];
  if (rows.length === 0) {
    return <p className="muted">No active attack signals. They appear here once gateway logs are ingested and correlation finds something.</p>;
  }
  return (
    <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
      <table>
        <thead>
          <tr>
            <th>Last seen</th>
            <th>Severity</th>
            <th>Signal</th>
            <th>API</th>
            <th>Client</th>
            <th>Window</th>
            <th>OWASP</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.id}>
              <td>{f.lastSeenAt.slice(0, 16).replace("T", " ")}</td>
              <td>
                <span className={`badge sev-${f.severity}`}>{f.severity}</span>
              </td>
              <td>
                <Link href={`/findings/${f.id}`}>{f.title}</Link> <span className="muted mono">{f.ruleId}</span>
              </td>
              <td>{f.api ? <Link href={`/apis/${f.api.slug}`}>{f.api.name}</Link> : <span className="badge bad">unknown host</span>}</td>
              <td className="mono">{f.client ?? "—"}</td>
              <td>{f.window?.from ? `${f.window.from.slice(0, 16).replace("T", " ")} – ${(f.window.to ?? "").slice(0, 16).replace("T", " ")}` : "—"}</td>
              <td>{f.owaspCategory ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
