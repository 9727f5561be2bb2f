import type { RouterOutputs } from "@/components/api-types";
import { type ApiChange, changeText } from "@/server/domain/api-versions";

type Changelog = RouterOutputs["apis"]["changelog"];

function Subject({ change }: { change: ApiChange }) {
  const where = change.method ? `${change.method} ${change.path}` : "whole API";
  return (
    <>
      <span className="mono">{where}</span>
      {change.subject ? (
        <>
          {" "}
          · <span className="mono">{change.subject}</span>
        </>
      ) : null}
    </>
  );
}

/** The Api's Changes tab: each version of each source, newest first, with its changes (breaking ones flagged). */
export function ApiChanges({ log }: { log: Changelog }) {
  if (log.versions.length === 0) {
    return <p className="muted">No versions yet: a version is kept each time an inventory source (a spec, a gateway config…) says something new about this API.</p>;
  }
  return (
    <section aria-label="Changelog">
      {log.versions.map((v) => (
        <article key={v.id} className="panel" style={{ marginBottom: 12 }} aria-label={`Version of ${v.createdAt.slice(0, 10)} from ${v.fileName}`}>
          <h3 style={{ marginTop: 0 }}>
            {v.createdAt.slice(0, 16).replace("T", " ")} UTC · <span className="mono">{v.fileName}</span> <span className="badge">{v.format}</span>
            {v.breaking ? <span className="badge bad">{v.breaking} breaking</span> : null}
          </h3>
          {v.first ? (
            <p className="muted">First version from this source: {v.endpoints} endpoints.</p>
          ) : (
            <table aria-label="Changes">
              <thead>
                <tr>
                  <th>Change</th>
                  <th>Where</th>
                  <th>Before</th>
                  <th>After</th>
                </tr>
              </thead>
              <tbody>
                {v.changes.map((c, i) => (
                  <tr key={i}>
                    <td>
                      {changeText(c.kind)} {c.breaking ? <span className="badge bad">breaking</span> : null}
                      {c.kind === "security-weakened" ? <span className="badge warn">weaker</span> : null}
                    </td>
                    <td>
                      <Subject change={c} />
                    </td>
                    <td>{c.before ?? "—"}</td>
                    <td>
                      {c.after ?? "—"}
                      {c.dataClasses?.length ? c.dataClasses.map((d) => <span key={d} className="badge warn">{d}</span>) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {v.omitted ? <p className="muted">…and {v.omitted} more changes (field and parameter details of a large rewrite).</p> : null}
        </article>
      ))}
      {log.older ? <p className="muted">{log.older} older versions not shown.</p> : null}
    </section>
  );
}
