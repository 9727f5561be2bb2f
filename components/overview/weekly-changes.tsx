import Link from "next/link";
import type { RouterOutputs } from "@/components/api-types";

type Week = RouterOutputs["apis"]["changesThisWeek"];

const apiHref = (slug: string, changes = false) => `/apis/${encodeURIComponent(slug)}${changes ? "?tab=changes" : ""}`;

/** "What changed this week": new Apis, new endpoints, weakened auth, new sensitive data, new shadow Apis; each links to its Api. */
export function WeeklyChanges({ data }: { data: Week }) {
  const quiet =
    data.newApis.total === 0 && data.changedApis.length === 0 && data.newShadow.total === 0;
  return (
    <section aria-label="What changed this week" className="panel" style={{ marginBottom: 16 }}>
      <h2>What changed this week</h2>
      <p className="muted" style={{ marginTop: 0 }}>
        Since {data.since.slice(0, 10)}: {data.newApis.total} new APIs · {data.totals.newEndpoints} new endpoints ·{" "}
        <span className={data.totals.authWeakened ? "badge bad" : undefined}>{data.totals.authWeakened} weakened auth</span> ·{" "}
        <span className={data.totals.sensitiveAdded ? "badge warn" : undefined}>{data.totals.sensitiveAdded} new sensitive fields</span> ·{" "}
        {data.totals.breaking} breaking changes · {data.newShadow.total} new shadow APIs
      </p>
      {quiet ? <p className="muted">No inventory changes in the last 7 days.</p> : null}
      {data.changedApis.length ? (
        <table aria-label="APIs changed this week">
          <thead>
            <tr>
              <th>API</th>
              <th>New endpoints</th>
              <th>Weakened auth</th>
              <th>New sensitive data</th>
              <th>Breaking</th>
            </tr>
          </thead>
          <tbody>
            {data.changedApis.map((a) => (
              <tr key={a.slug}>
                <td>
                  <Link href={apiHref(a.slug, true)}>{a.name}</Link>
                </td>
                <td>{a.newEndpoints || "—"}</td>
                <td>{a.authWeakened ? <span className="badge bad">{a.authWeakened}</span> : "—"}</td>
                <td>{a.sensitiveAdded ? <span className="badge warn">{a.sensitiveAdded}</span> : "—"}</td>
                <td>{a.breaking ? <span className="badge warn">{a.breaking} breaking</span> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data.newApis.apis.length ? (
        <p>
          New APIs:{" "}
          {data.newApis.apis.map((a) => (
            <Link key={a.slug} className="badge" href={apiHref(a.slug)}>
              {a.name}
            </Link>
          ))}
        </p>
      ) : null}
      {data.newShadow.apis.length ? (
        <p>
          New shadow APIs:{" "}
          {data.newShadow.apis.map((a) => (
            <Link key={a.slug} className="badge warn" href={apiHref(a.slug)}>
              {a.name}
            </Link>
          ))}
        </p>
      ) : null}
    </section>
  );
}
