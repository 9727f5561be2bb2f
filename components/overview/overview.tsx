import Link from "next/link";
import type { RouterOutputs } from "@/components/api-types";
import { BANDS } from "@/server/domain/risk";
import { SEVERITIES } from "@/server/domain/severity";
import { TrendChart } from "@/components/ui/trend-chart";
import { BandChart, CountLink } from "./charts";

type Overview = RouterOutputs["risk"]["overview"];

export function BandBadge({ band }: { band: string }) {
  return (
    <span className="badge" style={{ borderColor: `var(--${band})`, color: `var(--${band})`, fontWeight: 600 }}>
      {band}
    </span>
  );
}

/** The Overview dashboard: aggregates only; every number links to the list behind it. */
export function RiskOverview({ data }: { data: Overview }) {
  const f = (href: string) => (data.linksToFindings ? href : null);
  // Each band opens the inventory filtered to it, riskiest first (URL parameters: the link is shareable).
  const byRisk = (band: string) => `/apis?band=${band}&sort=riskScore&dir=desc`;
  return (
    <>
      <section aria-label="Risk distribution" className="panel" style={{ marginBottom: 16 }}>
        <h2>APIs by risk band</h2>
        <div className="grid-cards">
          {BANDS.map((band) => (
            <CountLink key={band} href={byRisk(band)} value={data.distribution[band] ?? 0} label={`${band} risk APIs`} />
          ))}
          {data.unscored ? <CountLink href="/apis?band=unscored" value={data.unscored} label="not scored yet" /> : null}
        </div>
        <BandChart distribution={data.distribution} />
      </section>

      <section aria-label="Posture summary" className="grid-cards">
        <CountLink href={f("/findings?ruleId=shadow-api&status=active")} value={data.counts.shadow} label="Shadow APIs" />
        <CountLink href={f("/findings?ruleId=zombie&status=active")} value={data.counts.zombie} label="Zombie APIs / endpoints" />
        <CountLink href="/apis?ownerless=1" value={data.counts.ownerless} label="Ownerless APIs" />
        <CountLink href={f("/findings?ruleId=stale-secret&status=active")} value={data.counts.staleSecrets} label="Stale secrets" />
        <CountLink href={f("/findings?kind=traffic&status=active&sort=lastSeenAt")} value={data.attackSignals.total} label="Attack signals (last 24 h)" />
      </section>

      <section aria-label="Open findings by severity" className="panel" style={{ marginBottom: 16 }}>
        <h2>Open findings by severity</h2>
        <div className="grid-cards" style={{ marginBottom: 0 }}>
          {SEVERITIES.map((s) => (
            <CountLink key={s} href={f(`/findings?severity=${s}&status=active`)} value={data.openFindings[s] ?? 0} label={s} />
          ))}
        </div>
        {data.attackSignals.byRule.length ? (
          <p>
            Attack signals in the last 24 h:{" "}
            {data.attackSignals.byRule.map((r) =>
              data.linksToFindings ? (
                <Link key={r.ruleId} className="badge" href={`/findings?ruleId=${encodeURIComponent(r.ruleId)}&status=active`}>
                  {r.ruleId}: {r.count}
                </Link>
              ) : (
                <span key={r.ruleId} className="badge">
                  {r.ruleId}: {r.count}
                </span>
              ),
            )}
          </p>
        ) : null}
      </section>

      <section aria-label="Riskiest APIs" className="panel" style={{ marginBottom: 16, padding: 0, overflowX: "auto" }}>
        <h2 style={{ padding: "14px 16px 0" }}>Top 10 riskiest APIs</h2>
        <table aria-label="Riskiest APIs">
          <thead>
            <tr>
              <th>#</th>
              <th>API</th>
              <th>Owner</th>
              <th>Score</th>
              <th>Band</th>
              <th>Main factor</th>
            </tr>
          </thead>
          <tbody>
            {data.top.map((api, i) => (
              <tr key={api.slug} data-testid="risky-api">
                <td>{i + 1}</td>
                <td>
                  <Link href={`/apis/${encodeURIComponent(api.slug)}#risk`}>{api.name}</Link>
                </td>
                <td>{api.owner ?? <span className="badge bad">ownerless</span>}</td>
                <td>{api.score.toFixed(1)}</td>
                <td>
                  <BandBadge band={api.band} />
                </td>
                <td>{api.mainFactor ? `${api.mainFactor.label} (${api.mainFactor.points} pts)` : "—"}</td>
              </tr>
            ))}
            {data.top.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No risk scores yet: ingest an inventory or run <code>postern correlate</code>.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>

      <section aria-label="Risk trend" className="panel">
        <h2>Organisation risk, last 90 days</h2>
        <TrendChart points={data.trend} />
      </section>
    </>
  );
}
