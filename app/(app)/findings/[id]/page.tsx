import Link from "next/link";
import { AssignApi } from "@/components/findings/assign-api";
import { FindingActions } from "@/components/findings/finding-actions";
import { MarkdownText } from "@/components/findings/markdown";
import { SeverityBadge, SlaDue, StatusBadge, statusLabel } from "@/components/findings/labels";
import { cweUrl, owaspPageUrl, RemediationHint } from "@/components/findings/remediation";
import { pageData, serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";
import { isOwaspApiCategory, owaspApiLabel } from "@/server/domain/owasp";

export const metadata = { title: "Finding" };

type HistoryEvent = { type: string; fromValue: string | null; toValue: string | null };

function eventText(e: HistoryEvent): string {
  switch (e.type) {
    case "created":
      return "first seen";
    case "status":
      return `status ${statusLabel(e.fromValue ?? "?")} → ${statusLabel(e.toValue ?? "?")}`;
    case "assigned":
      return e.toValue ? `assigned to ${e.toValue}${e.fromValue ? ` (was ${e.fromValue})` : ""}` : `unassigned${e.fromValue ? ` (was ${e.fromValue})` : ""}`;
    case "team_changed":
      return `team ${e.fromValue ?? "none"} → ${e.toValue ?? "none"}`;
    case "api_assigned":
      return `mapped to API ${e.toValue ?? "?"}${e.fromValue ? ` (was ${e.fromValue})` : ""}`;
    case "comment":
      return "comment";
    case "proposed":
      return `proposed ${statusLabel(e.toValue ?? "?")}`;
    default:
      return `${e.type}${e.toValue ? `: ${e.toValue}` : ""}`;
  }
}

/** Who: the person (or their token), Postern itself, or the scanner that triaged it. */
function actorText(e: { actorType: string; actor: { name: string; email: string } | null }): string {
  if (e.actor) return `${e.actor.name ? `${e.actor.name} ` : ""}<${e.actor.email}>${e.actorType === "token" ? " (API token)" : ""}`;
  if (e.actorType === "system") return "Postern";
  if (e.actorType === "tool") return "scanner";
  return e.actorType;
}

export default async function FindingPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { caller, actor } = await serverCaller();
  const { data: finding, forbidden } = await pageData(caller.findings.get({ id }));
  if (!finding) {
    return (
      <>
        <h1>Finding</h1>
        <p role="alert" className="error">
          Individual findings and their evidence are for the security team and the owning developers ({forbidden}).
        </p>
        <Link href="/findings">Back to finding counts</Link>
      </>
    );
  }
  const loc = finding.location;
  const ev = finding.evidence;
  const owasp = finding.owaspCategory && isOwaspApiCategory(finding.owaspCategory) ? finding.owaspCategory : null;
  const owaspUrl = owasp ? owaspPageUrl(owasp) : null;

  return (
    <>
      <p className="muted">
        <Link href="/findings">Findings</Link> / {finding.tool ?? finding.kind} / <span className="mono">{finding.ruleId}</span>
      </p>
      <h1>
        <SeverityBadge severity={finding.severity} /> {finding.title}
      </h1>
      <section className="panel" aria-label="What">
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={finding.status} resolution={finding.resolution} regression={finding.regression} />
          </dd>
          <dt>Severity</dt>
          <dd>
            {finding.severity}
            {finding.confidence ? <span className="muted"> · confidence {finding.confidence}</span> : null}
          </dd>
          <dt>Rule</dt>
          <dd className="mono">
            {finding.tool ? `${finding.tool} ` : ""}
            {finding.ruleId}
          </dd>
          <dt>CWE</dt>
          <dd>
            {finding.cwe ? (
              <a href={cweUrl(finding.cwe)} target="_blank" rel="noreferrer noopener">
                CWE-{finding.cwe}
              </a>
            ) : (
              "—"
            )}
          </dd>
          <dt>OWASP API 2023</dt>
          <dd>
            {owasp && owaspUrl ? (
              <a href={owaspUrl} target="_blank" rel="noreferrer noopener">
                {owaspApiLabel(owasp)}
              </a>
            ) : (
              "—"
            )}
          </dd>
          <dt>Team</dt>
          <dd>{finding.team?.name ?? <span className="muted">none</span>}</dd>
          <dt>Assignee</dt>
          <dd>{finding.assignee ? `${finding.assignee.name} (${finding.assignee.email})` : <span className="muted">unassigned</span>}</dd>
          {finding.acceptance ? (
            <>
              <dt>Risk accepted</dt>
              <dd data-testid="acceptance">
                until {finding.acceptance.until?.slice(0, 10) ?? "?"}
                {finding.acceptance.approvedBy ? ` by ${finding.acceptance.approvedBy.email}` : ""}
                {finding.acceptance.reason ? `: ${finding.acceptance.reason}` : ""}
              </dd>
            </>
          ) : null}
          {finding.duplicateOf ? (
            <>
              <dt>Duplicate of</dt>
              <dd>
                <Link href={`/findings/${finding.duplicateOf.id}`}>{finding.duplicateOf.title ?? finding.duplicateOf.id}</Link>
              </dd>
            </>
          ) : null}
          {finding.proposal ? (
            <>
              <dt>Proposed</dt>
              <dd>
                <span className="badge">{statusLabel(finding.proposal.status)}</span>
                {finding.proposal.by ? ` by ${finding.proposal.by.email}` : ""}
                {finding.proposal.reason ? `: ${finding.proposal.reason}` : ""}
                {can(actor, "findings:decide") ? <span className="muted"> (decide with the moves below)</span> : <span className="muted"> (waiting for the security team)</span>}
              </dd>
            </>
          ) : null}
          <dt>SLA due</dt>
          <dd>
            <SlaDue dueAt={finding.slaDueAt} overdue={finding.overdue} />
          </dd>
          <dt>First / last seen</dt>
          <dd>
            {finding.firstSeenAt.slice(0, 16).replace("T", " ")} / {finding.lastSeenAt.slice(0, 16).replace("T", " ")} UTC
          </dd>
          <dt>Occurrences</dt>
          <dd>{finding.occurrences} in the latest scan</dd>
          {finding.resolvedAt ? (
            <>
              <dt>Resolved</dt>
              <dd>
                {finding.resolvedAt.slice(0, 16).replace("T", " ")} UTC
                {finding.resolution ? ` (${finding.resolution.replaceAll("_", " ")})` : ""}
              </dd>
            </>
          ) : null}
        </dl>
        {finding.description ? <p style={{ whiteSpace: "pre-wrap" }}>{finding.description}</p> : null}
      </section>

      {finding.actions.comment || finding.actions.moves.length ? (
        <>
          <h2>Work on it</h2>
          <FindingActions
            finding={{ id: finding.id, title: finding.title, status: finding.status, actions: finding.actions, assignee: finding.assignee, team: finding.team }}
            userId={actor.userId}
          />
        </>
      ) : null}

      <h2>Where</h2>
      <section className="panel" aria-label="Where">
        <dl className="kv">
          <dt>API</dt>
          <dd>
            {finding.api ? (
              <Link href={`/apis/${finding.api.slug}`}>{finding.api.name}</Link>
            ) : (
              <span className="badge warn">unmapped</span>
            )}
            {finding.api?.baseUrl ? <span className="mono muted"> {finding.api.baseUrl}</span> : null}
          </dd>
          <dt>Endpoint</dt>
          <dd className="mono">{finding.endpoint ? `${finding.endpoint.method} ${finding.endpoint.path}` : "—"}</dd>
          {loc.url ? (
            <>
              <dt>URL</dt>
              <dd className="mono" style={{ overflowWrap: "anywhere" }}>
                {loc.method ? `${loc.method} ` : ""}
                {loc.url}
              </dd>
            </>
          ) : null}
          {loc.parameter ? (
            <>
              <dt>Parameter</dt>
              <dd className="mono">{loc.parameter}</dd>
            </>
          ) : null}
          {loc.file ? (
            <>
              <dt>File</dt>
              <dd className="mono">
                {loc.file}
                {loc.line !== undefined ? `:${loc.line}` : ""}
              </dd>
            </>
          ) : null}
          {loc.target ? (
            <>
              <dt>Scan target</dt>
              <dd className="mono">{loc.target}</dd>
            </>
          ) : null}
        </dl>
        {can(actor, "findings:map") ? <AssignApi findingId={finding.id} current={finding.api?.slug ?? null} /> : null}
      </section>

      <h2>Evidence</h2>
      <section className="panel" aria-label="Evidence" data-testid="finding-evidence">
        {finding.kind !== "scan" ? (
          finding.ruleEvidence.length ? (
            <dl className="kv" aria-label="Rule evidence">
              {finding.ruleEvidence.map((f) => (
                <div key={f.label} style={{ display: "contents" }}>
                  <dt>{f.label}</dt>
                  <dd className="mono" style={{ overflowWrap: "anywhere" }}>
                    {f.values.length === 1 ? (
                      f.values[0]
                    ) : (
                      <ul style={{ margin: 0, paddingLeft: 18 }}>
                        {f.values.map((v, i) => (
                          <li key={i}>{v}</li>
                        ))}
                      </ul>
                    )}
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="muted">The rule <span className="mono">{finding.ruleId}</span> recorded no evidence beyond its description above.</p>
          )
        ) : ev && (ev.request || ev.response || ev.snippet || ev.detail) ? (
          <>
            {(["detail", "snippet", "request", "response"] as const).map((k) =>
              ev[k] ? (
                <div key={k}>
                  <h3 style={{ fontSize: 13, margin: "8px 0 4px" }}>{k}</h3>
                  <pre className="mono" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere", margin: 0 }}>
                    {ev[k]}
                  </pre>
                </div>
              ) : null,
            )}
            <p className="muted">Credentials (Authorization headers, tokens, passwords) were redacted at ingest.</p>
          </>
        ) : (
          <p className="muted">The scanner reported no evidence.</p>
        )}
        {ev?.cve ? <p>CVE: {ev.cve}</p> : null}
        {ev?.references?.length ? (
          <ul aria-label="References">
            {ev.references.map((r) => (
              <li key={r}>
                <a href={r} target="_blank" rel="noreferrer noopener">
                  {r}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <h2>How to fix</h2>
      <section className="panel" aria-label="Remediation">
        <RemediationHint remediation={finding.remediation} owaspCategory={owasp} />
      </section>

      <h2>History</h2>
      <div className="panel" style={{ padding: 0 }}>
        <table aria-label="History">
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>What</th>
              <th>By</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {finding.history.map((e) => (
              <tr key={e.id} data-type={e.type}>
                <td>
                  <time dateTime={e.createdAt}>{e.createdAt.slice(0, 19).replace("T", " ")}</time>
                </td>
                <td>{eventText(e)}</td>
                <td>{actorText(e)}</td>
                <td className={e.type === "comment" ? undefined : "muted"}>{e.comment ? e.type === "comment" ? <MarkdownText text={e.comment} /> : e.comment : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
