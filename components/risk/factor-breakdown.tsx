import Link from "next/link";
import type { RouterOutputs } from "@/components/api-types";
import { SeverityBadge } from "@/components/findings/labels";
import { BandBadge } from "@/components/overview/overview";

/**
 * An Api's risk score with each factor's points, what drives it and the findings behind it (Api detail page). The
 * page fetches it (risk.api); findings link to their page only for those who may open findings.
 */
export function RiskBreakdown({ risk, linksToFindings }: { risk: RouterOutputs["risk"]["api"]; linksToFindings: boolean }) {
  return (
    <section id="risk" aria-label="Risk score" className="panel" style={{ margin: "16px 0" }}>
      <h2>
        Risk score{" "}
        {risk.score === null ? (
          <span className="muted">not computed yet</span>
        ) : (
          <>
            <span data-testid="risk-score">{risk.score.toFixed(1)}</span> / 100 {risk.band ? <BandBadge band={risk.band} /> : null}
          </>
        )}
      </h2>
      {risk.factors.length ? (
        <table aria-label="Risk factors">
          <thead>
            <tr>
              <th>Factor</th>
              <th>Points</th>
              <th>Why</th>
              <th>Findings behind it</th>
            </tr>
          </thead>
          <tbody>
            {risk.factors.map((f) => (
              <tr key={f.name} data-testid="risk-factor">
                <td>{f.label}</td>
                <td>
                  <meter min={0} max={f.max ?? 100} value={f.points} aria-label={`${f.label} points`} style={{ width: 60, marginRight: 6 }} />
                  {f.points}
                  {f.max !== null ? <span className="muted"> / {f.max}</span> : null}
                </td>
                <td>{f.detail}</td>
                <td>
                  {f.findings.length
                    ? f.findings.map((x) => (
                        <div key={x.id}>
                          <SeverityBadge severity={x.severity} />{" "}
                          {linksToFindings ? <Link href={`/findings/${encodeURIComponent(x.id)}`}>{x.title}</Link> : x.title}
                        </div>
                      ))
                    : <span className="muted">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Run a correlation (any ingest does) to compute this API&apos;s factors.</p>
      )}
    </section>
  );
}
