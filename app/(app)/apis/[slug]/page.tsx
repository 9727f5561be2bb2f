import Link from "next/link";
import { ApiChanges } from "@/components/inventory/api-changes";
import { AuthBadges, DataClassBadges, Lifecycle } from "@/components/inventory/labels";
import { ApiOwnership } from "@/components/inventory/ownership";
import { RiskBreakdown } from "@/components/risk/factor-breakdown";
import { ApiTraffic } from "@/components/traffic/api-traffic";
import { pageData, serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";
import { SEVERITIES } from "@/server/domain/severity";

/** The page's tabs: the Api itself (default) and its changelog (`?tab=changes`). */
function ApiTabs({ slug, current }: { slug: string; current: "api" | "changes" }) {
  const base = `/apis/${encodeURIComponent(slug)}`;
  return (
    <nav aria-label="API page" style={{ marginBottom: 12 }}>
      <Link className="badge" href={base} aria-current={current === "api" ? "page" : undefined}>
        API
      </Link>
      <Link className="badge" href={`${base}?tab=changes`} aria-current={current === "changes" ? "page" : undefined}>
        Changes
      </Link>
    </nav>
  );
}

export default async function ApiDetailPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ tab?: string | string[] }> }) {
  const { slug } = await params;
  const { tab } = await searchParams;
  const { caller, actor } = await serverCaller();
  // Another team's Api is not found, like a missing one; every role may read the Api itself (inventory:read).
  const { data: api, forbidden } = await pageData(caller.apis.get({ slug }));
  if (!api) return <p role="alert" className="error">{forbidden}</p>;
  if (tab === "changes") {
    const log = await caller.apis.changelog({ slug });
    return (
      <>
        <h1>{api.name}</h1>
        <ApiTabs slug={api.slug} current="changes" />
        <ApiChanges log={log} />
      </>
    );
  }
  const [risk, open] = await Promise.all([caller.risk.api({ slug }), caller.findings.summary({ api: slug, status: "active" })]);
  const undeclared = api.endpoints.filter((e) => e.securityMode === "undeclared").length;
  // A draft spec from traffic: of the whole Api when only traffic knows it, else of its undocumented endpoints.
  const undocumented = api.endpoints.filter((e) => e.observed && !e.documented).length;
  return (
    <>
      <h1>
        {api.name}{" "}
        {api.observedOnly ? (
          <span className="badge warn" title="Known only from traffic: no inventory documents it (shadow API)">
            observed only
          </span>
        ) : null}
      </h1>
      <ApiTabs slug={api.slug} current="api" />
      {api.observedOnly || undocumented ? (
        <section className="panel" aria-label="Draft spec from traffic">
          <p>
            {api.observedOnly
              ? "No inventory documents this API: Postern knows it from gateway traffic only."
              : `${undocumented} endpoint${undocumented === 1 ? "" : "s"} seen in traffic that no inventory documents.`}{" "}
            <a href={`/api/v1/apis/${encodeURIComponent(api.slug)}/draft-spec`} download>
              Download draft spec (OpenAPI 3.1)
            </a>
          </p>
          <p className="muted">Drafted from traffic rollups: paths with inferred parameters, methods, statuses seen, auth observed, servers.</p>
        </section>
      ) : null}
      <section className="panel" aria-label="About this API">
        <dl className="kv">
          <dt>Base URL</dt>
          <dd className="mono">{api.baseUrl ?? "unknown"}</dd>
          <dt>Owner</dt>
          <dd>{api.ownerTeam ? api.ownerTeam.name : <span className="badge bad">ownerless</span>}</dd>
          {api.contact ? (
            <>
              <dt>Contact</dt>
              <dd>{[api.contact.name, api.contact.email, api.contact.url].filter(Boolean).join(" · ")}</dd>
            </>
          ) : null}
          <dt>Lifecycle</dt>
          <dd>
            <Lifecycle value={api.lifecycle} />
          </dd>
          <dt>Exposure</dt>
          <dd>{api.exposure ?? "unknown"}</dd>
          <dt>Version</dt>
          <dd>{api.version ?? "—"}</dd>
          <dt>Auth</dt>
          <dd>
            <AuthBadges kinds={api.authKinds} /> {undeclared ? <span className="badge bad">{undeclared} undeclared</span> : null}
          </dd>
          <dt>Data classes</dt>
          <dd>
            <DataClassBadges classes={api.dataClasses} />
          </dd>
          <dt>Repository</dt>
          <dd>{api.repository ?? "—"}</dd>
          <dt>Endpoints</dt>
          <dd>
            {api.documentedEndpoints} documented · {api.observedEndpoints} observed in traffic
          </dd>
          <dt>Sources</dt>
          <dd>
            {api.observedOnly ? <span className="badge warn">traffic</span> : null}
            {api.sources.map((s) => (
              <span key={`${s.format}:${s.fileName}`} className="badge" title={`last seen ${s.seenAt}`}>
                {s.format}: {s.fileName}
              </span>
            ))}
          </dd>
        </dl>
      </section>
      <ApiOwnership slug={api.slug} canEdit={can(actor, "inventory:own")} />
      <RiskBreakdown risk={risk} linksToFindings={can(actor, "findings:read")} />
      <section aria-label="Open findings by severity">
        <h2>Open findings by severity</h2>
        <p>
          {SEVERITIES.map((s) => (
            <Link key={s} className="badge" href={`/findings?api=${encodeURIComponent(api.slug)}&severity=${s}&status=active`}>
              {s}: {open.facets.severity[s] ?? 0}
            </Link>
          ))}
        </p>
      </section>
      <ApiTraffic slug={api.slug} />
      {api.specLint ? (
        <section aria-label="Spec lint">
          <h2>Spec lint (Spectral, OWASP API Security rules)</h2>
          <p className="muted">
            {api.specLint.total.toLocaleString("en")} results from {api.specLint.failingRules} failing rules, {api.specLint.failingOwaspRules} of them OWASP.
          </p>
          <p>
            {api.specLint.rules.map((r) => (
              <span key={r.rule} className={`badge${r.severity === "error" ? " warn" : ""}`} title={`${r.severity}: ${r.count} results`}>
                {r.rule} × {r.count}
              </span>
            ))}
          </p>
        </section>
      ) : null}
      <h2>Endpoints</h2>
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="Endpoints">
          <thead>
            <tr>
              <th>Method</th>
              <th>Path</th>
              <th>Summary</th>
              <th>Auth</th>
              <th>Data classes</th>
              <th>Flags</th>
            </tr>
          </thead>
          <tbody>
            {api.endpoints.map((e) => (
              <tr key={e.id}>
                <td className="mono">{e.method}</td>
                <td className="mono">{e.path}</td>
                <td>{e.summary ?? <span className="muted">no summary</span>}</td>
                <td>
                  <AuthBadges kinds={e.authKinds} mode={e.securityMode} />
                </td>
                <td>
                  <DataClassBadges classes={e.dataClasses} />
                </td>
                <td>
                  {e.documented ? <span className="badge ok">documented</span> : null}
                  {e.observed ? <span className="badge">observed</span> : null}
                  {e.deprecated ? <span className="badge warn">deprecated</span> : null}
                  {e.rateLimited ? <span className="badge">rate-limited</span> : null}
                </td>
              </tr>
            ))}
            {api.endpoints.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No endpoints known: no ingested source described them.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
