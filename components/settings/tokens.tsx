"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";
import type { TokenScope } from "@/server/auth/tokens";

/** The scopes a token may have (server/auth/tokens.ts TOKEN_SCOPES), with what each lets it do. */
const SCOPES: { scope: TokenScope; title: string }[] = [
  { scope: "ingest", title: "POST /api/v1/ingest" },
  { scope: "read", title: "read the inventory" },
  { scope: "findings:read", title: "GET /api/v1/findings" },
  { scope: "findings:write", title: "transition, assign, comment on findings (POST /api/v1/findings/…)" },
  { scope: "reports:read", title: "compliance reports (GET /api/v1/reports)" },
];

/**
 * API tokens: one's own (`own`, on My account, for every role) or, in Settings, all an admin may see (everyone's with
 * tokens:all). Either way one creates tokens for oneself.
 */
export function Tokens({ own = false }: { own?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const all = useQuery({ ...trpc.tokens.list.queryOptions(), enabled: !own });
  const mine = useQuery({ ...trpc.account.tokens.queryOptions(), enabled: own });
  const tokens = own ? mine : all;
  const [created, setCreated] = useState<{ token: string; expiresAt: string } | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.account.tokens.queryKey() }),
    ]);
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSuccess: (t) => (setCreated(t), refresh()) }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const scopes = form.getAll("scope").map(String).filter((s): s is TokenScope => SCOPES.some((o) => o.scope === s));
    create.mutate({ name: String(form.get("name") ?? ""), scopes, expiresInDays: Number(form.get("days") ?? 90) });
  }

  return (
    <section aria-label={own ? "My API tokens" : "API tokens"}>
      <h2>{own ? "My API tokens" : "API tokens"}</h2>
      <p className="muted">
        For CI jobs and log shippers: <code>curl -H &quot;Authorization: Bearer $TOKEN&quot; --data-binary @report.sarif /api/v1/ingest</code>.
        Tokens are shown once, stored hashed, expire and can be revoked.
      </p>
      <form className="toolbar" onSubmit={onSubmit}>
        <label>
          Name
          <input name="name" required maxLength={80} placeholder="ci-zap-nightly" />
        </label>
        <label>
          Expires in (days)
          <input name="days" type="number" min={1} max={365} defaultValue={90} />
        </label>
        <fieldset style={{ border: 0, display: "flex", gap: 8, padding: 0 }}>
          <legend className="sr-only">Scopes</legend>
          <label style={{ flexDirection: "row", gap: 4 }}>
            <input type="checkbox" name="scope" value="ingest" defaultChecked={!own} /> ingest
          </label>
          <label style={{ flexDirection: "row", gap: 4 }}>
            <input type="checkbox" name="scope" value="read" defaultChecked={own} /> read
          </label>
          {SCOPES.filter((o) => o.scope.startsWith("findings:")).map((o) => (
            <label key={o.scope} style={{ flexDirection: "row", gap: 4 }} title={o.title}>
              <input type="checkbox" name="scope" value={o.scope} /> {o.scope}
            </label>
          ))}
        </fieldset>
        <button className="primary" type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.error ? <p className="error" role="alert">{create.error.message}</p> : null}
      {created ? (
        <div className="panel" role="status">
          <p>Copy this token now; it will not be shown again (expires {new Date(created.expiresAt).toLocaleDateString()}):</p>
          <p className="token-once mono">{created.token}</p>
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <div className="panel" style={{ padding: 0, marginTop: 12 }}>
        <table aria-label="Tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Owner</th>
              <th>Scopes</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data?.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="mono">{t.prefix}…</td>
                <td>{t.owner}</td>
                <td>{t.scopes.join(", ")}</td>
                <td>{new Date(t.expiresAt).toLocaleDateString()}</td>
                <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}</td>
                <td>
                  {t.revokedAt ? (
                    <span className="badge">revoked</span>
                  ) : (
                    <button type="button" onClick={() => revoke.mutate({ id: t.id })} aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
