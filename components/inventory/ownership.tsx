"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";

/**
 * The Api's owner and where each claim came from (Backstage, CSV, Kong tag, spec extension, component link, manual),
 * the deciding one marked; with inventory:own, set the owner by hand (it wins until cleared) or clear it.
 */
export function ApiOwnership({ slug, canEdit }: { slug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const ownership = useQuery(trpc.ownership.get.queryOptions({ slug }));
  const teams = useQuery({ ...trpc.apis.teams.queryOptions(), enabled: canEdit });
  const [team, setTeam] = useState("");
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.ownership.get.queryKey({ slug }) });
    router.refresh();
  };
  const set = useMutation(trpc.ownership.set.mutationOptions({ onSuccess: done }));
  const clear = useMutation(trpc.ownership.clear.mutationOptions({ onSuccess: done }));
  const error = set.error?.message ?? clear.error?.message;

  function onSet(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (team) set.mutate({ slug, team });
  }

  const data = ownership.data;
  const manual = data?.claims.find((c) => c.source === "manual");
  return (
    <section aria-label="Ownership">
      <h2>Ownership</h2>
      {data ? (
        <>
          <p>
            Owner: <strong data-testid="api-owner">{data.owner ? data.owner.name : "none"}</strong>
            {data.owner ? null : <span className="badge bad">ownerless</span>}
          </p>
          <div className="panel" style={{ padding: 0 }}>
            <table aria-label="Owner claims">
              <thead>
                <tr>
                  <th>Source</th>
                  <th>Team</th>
                  <th>From</th>
                  <th>Since</th>
                  <th>Last seen</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.claims.map((c) => (
                  <tr key={c.source}>
                    <td>{c.label}</td>
                    <td>{c.team.name}</td>
                    <td className="mono">{c.fileName ?? "—"}</td>
                    <td>{new Date(c.since).toLocaleString()}</td>
                    <td>{new Date(c.seenAt).toLocaleString()}</td>
                    <td>{c.effective ? <span className="badge ok">decides</span> : null}</td>
                  </tr>
                ))}
                {data.claims.length === 0 ? (
                  <tr>
                    <td colSpan={6} className="muted">
                      No source names an owner.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <p className="muted">A manual owner wins until cleared; otherwise the catalog read last (Backstage, CSV) decides, else the claim held longest.</p>
        </>
      ) : (
        <p className="muted">{ownership.error ? ownership.error.message : "Loading…"}</p>
      )}
      {canEdit ? (
        <form className="toolbar" onSubmit={onSet} aria-label="Set the owner">
          <label>
            Owning team
            <select value={team} onChange={(e) => setTeam(e.target.value)} aria-label="Owning team">
              <option value="">choose…</option>
              {teams.data?.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <button className="primary" type="submit" disabled={!team || set.isPending}>
            Set owner
          </button>
          {manual ? (
            <button type="button" onClick={() => clear.mutate({ slug })} disabled={clear.isPending}>
              Clear manual owner
            </button>
          ) : null}
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
