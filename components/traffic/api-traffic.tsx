"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/components/trpc";
import { ChartFigure, TOOLTIP } from "@/components/ui/chart-figure";

const COLORS = { s2xx: "#2e7d32", s3xx: "#1565c0", s4xx: "#ef6c00", s5xx: "#c62828" } as const;
const fmt = (n: number) => n.toLocaleString("en-US");
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const CLASSES = ["s2xx", "s3xx", "s4xx", "s5xx"] as const;
type Point = { t: string; s2xx: number; s3xx: number; s4xx: number; s5xx: number; avgLatencyMs: number | null; maxLatencyMs: number };
const sum = (series: readonly Point[], k: (typeof CLASSES)[number]) => series.reduce((n, s) => n + s[k], 0);

/** The latency chart in a sentence: the range of the averages and the highest maximum. */
function latencySummary(series: readonly Point[], bucket: string): string {
  const averages = series.map((s) => s.avgLatencyMs).filter((v): v is number => v !== null);
  if (averages.length === 0) return `No latency was recorded in the window.`;
  const worst = series.reduce((w, s) => (s.maxLatencyMs > w.maxLatencyMs ? s : w), series[0]!);
  return (
    `Average latency per ${bucket} between ${fmt(Math.min(...averages))} and ${fmt(Math.max(...averages))} ms; ` +
    `the highest single request took ${fmt(worst.maxLatencyMs)} ms (${worst.t}).`
  );
}

/** Traffic section of the Api page: requests by status class, latency, top clients, per-endpoint traffic. */
export function ApiTraffic({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const [days, setDays] = useState(7);
  const q = useQuery(trpc.traffic.api.queryOptions({ slug, days }));
  if (q.isLoading) return <p className="muted">Loading traffic…</p>;
  if (q.error) return <p className="badge bad">Traffic could not be loaded: {q.error.message}</p>;
  const t = q.data;
  if (!t) return null;
  const label = (iso: string) => (t.bucket === "day" ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`);
  const series = t.series.map((s) => ({ ...s, t: label(s.t) }));
  return (
    <section aria-label="Traffic">
      <h2>Traffic</h2>
      {t.window === null ? (
        <p className="muted">No gateway traffic has been ingested for this API.</p>
      ) : (
        <>
          <p>
            <label>
              Window{" "}
              <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Traffic window">
                {[1, 3, 7, 30, 90].map((d) => (
                  <option key={d} value={d}>
                    {d} day{d === 1 ? "" : "s"}
                  </option>
                ))}
              </select>
            </label>{" "}
            <span className="muted">
              {t.window.from.slice(0, 16).replace("T", " ")} – {t.window.to.slice(0, 16).replace("T", " ")} UTC (ending at the latest traffic)
            </span>
          </p>
          <p>
            <span className="badge">{fmt(t.totals.requests)} requests</span> <span className="badge">{fmt(t.totals.clients)} clients</span>{" "}
            <span className="badge">{mb(t.totals.bytes)}</span>{" "}
            {t.totals.unauthenticated2xx ? <span className="badge bad">{fmt(t.totals.unauthenticated2xx)} unauthenticated 2xx</span> : null}{" "}
            {t.totals.plainHttp ? <span className="badge bad">{fmt(t.totals.plainHttp)} plain HTTP</span> : null}{" "}
            {t.totals.s429 ? <span className="badge">{fmt(t.totals.s429)} × 429</span> : null}
          </p>
          <div className="panel">
            <ChartFigure
              height={240}
              caption={`Requests per ${t.bucket} by status class: ${CLASSES.map((k) => `${fmt(sum(series, k))} ${k.slice(1)}`).join(", ")} in the window.`}
              table={{
                label: `Requests per ${t.bucket} by status class`,
                columns: [t.bucket === "day" ? "Day" : "Hour (UTC)", ...CLASSES.map((k) => k.slice(1))],
                rows: series.map((s) => [s.t, ...CLASSES.map((k) => s[k])]),
              }}
            >
              <ResponsiveContainer width="100%" height="100%">
                <AreaChart data={series} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
                  <XAxis dataKey="t" stroke="var(--muted)" />
                  <YAxis allowDecimals={false} stroke="var(--muted)" />
                  <Tooltip {...TOOLTIP} />
                  <Legend />
                  {CLASSES.map((k) => (
                    <Area key={k} type="monotone" dataKey={k} name={k.slice(1)} stackId="1" stroke={COLORS[k]} fill={COLORS[k]} />
                  ))}
                </AreaChart>
              </ResponsiveContainer>
            </ChartFigure>
          </div>
          <div className="panel">
            <ChartFigure
              height={200}
              caption={latencySummary(series, t.bucket)}
              table={{
                label: `Latency per ${t.bucket}`,
                columns: [t.bucket === "day" ? "Day" : "Hour (UTC)", "Average latency (ms)", "Max latency (ms)"],
                rows: series.map((s) => [s.t, s.avgLatencyMs ?? "—", s.maxLatencyMs]),
              }}
            >
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={series} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
                  <XAxis dataKey="t" stroke="var(--muted)" />
                  <YAxis unit=" ms" stroke="var(--muted)" />
                  <Tooltip {...TOOLTIP} />
                  <Legend />
                  <Line type="monotone" dataKey="avgLatencyMs" name="average latency" stroke="#1565c0" dot={false} />
                  <Line type="monotone" dataKey="maxLatencyMs" name="max latency" stroke="#c62828" dot={false} />
                </LineChart>
              </ResponsiveContainer>
            </ChartFigure>
          </div>
          {t.topClients ? (
            <>
              {/* Clients are stored per UTC day, so this table covers the whole days the window touches. */}
              <h3>
                Top clients <span className="muted">(UTC days in the window)</span>
              </h3>
              <table>
                <thead>
                  <tr>
                    <th>Client</th>
                    <th>Requests</th>
                    <th>4xx/5xx</th>
                    <th>Bytes</th>
                  </tr>
                </thead>
                <tbody>
                  {t.topClients.map((c) => (
                    <tr key={c.client}>
                      <td className="mono">
                        {c.client} {c.authenticated ? <span className="badge">principal</span> : <span className="badge">IP</span>}
                      </td>
                      <td>{fmt(c.requests)}</td>
                      <td>{fmt(c.errors)}</td>
                      <td>{mb(c.bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </>
      )}
      <h3>Traffic per endpoint</h3>
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table>
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Status</th>
              <th>Requests</th>
              <th>4xx</th>
              <th>5xx</th>
              <th title="2xx responses to requests without a principal">Unauth. 2xx</th>
              <th>Avg latency</th>
            </tr>
          </thead>
          <tbody>
            {t.endpoints.map((e) => (
              <tr key={`${e.method} ${e.path}`}>
                <td className="mono">
                  {e.method} {e.path}
                </td>
                <td>
                  {e.documented ? <span className="badge">documented</span> : <span className="badge bad">undocumented</span>}{" "}
                  {e.observed ? <span className="badge">observed</span> : <span className="badge muted">not observed</span>}{" "}
                  {e.deprecated ? <span className="badge bad">deprecated</span> : null}
                </td>
                <td>{fmt(e.requests)}</td>
                <td>{fmt(e.s4xx)}</td>
                <td>{fmt(e.s5xx)}</td>
                <td>{e.unauthenticated2xx ? <span className="badge bad">{fmt(e.unauthenticated2xx)}</span> : "0"}</td>
                <td>{e.avgLatencyMs === null ? "—" : `${e.avgLatencyMs} ms`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
