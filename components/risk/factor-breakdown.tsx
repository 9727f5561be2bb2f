import Link from "next/link";
import { SeverityBadge } from "@/components/findings/labels";
import { BandBadge } from "@/components/overview/overview";
import { requireActor } from "@/server/auth/current";
import { seesDetail } from "@/server/auth/roles";
import { getPrisma } from "@/server/db/client";
import { apiRiskBreakdown } from "@/server/risk/service";

/** An Api's risk score with each factor's points, what drives it and the findings behind it (Api detail page). */
export async function RiskBreakdown({ slug }: { slug: string }) {
  const actor = await requireActor();
  const risk = await apiRiskBreakdown(await getPrisma(), actor, slug);
  const links = seesDetail(actor);
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
                          {links ? <Link href={`/findings/${encodeURIComponent(x.id)}`}>{x.title}</Link> : x.title}
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
