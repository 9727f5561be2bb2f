"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RouterInputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { can } from "@/server/auth/permissions";

type Filter = RouterInputs["ownership"]["assignOwnerless"]["filter"];

/**
 * "Assign N APIs to team…": gives every ownerless Api of the filtered inventory (the whole selection, every page) a
 * manual owner, in one transaction. Shown with the "Ownerless only" filter to those who may set owners.
 */
export function AssignOwnerless({ filter, total }: { filter: Filter; total: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const teams = useQuery(trpc.apis.teams.queryOptions());
  const [open, setOpen] = useState(false);
  const [team, setTeam] = useState("");
  const assign = useMutation(
    trpc.ownership.assignOwnerless.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        setTeam("");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.apis.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.apis.teams.queryKey() }),
        ]);
      },
    }),
  );

  if (!me.data || !can({ role: me.data.role }, "inventory:own")) return null;
  const noun = total === 1 ? "API" : "APIs";

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (team) assign.mutate({ filter, team });
  }

  return (
    <div className="toolbar" aria-label="Assign ownerless APIs" role="group">
      {open ? (
        <form className="toolbar" style={{ margin: 0 }} onSubmit={onSubmit}>
          <label>
            Team for all {total} ownerless {noun} of this selection
            <select value={team} onChange={(e) => setTeam(e.target.value)} aria-label="Team to assign">
              <option value="">choose…</option>
              {teams.data?.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <button className="primary" type="submit" disabled={!team || assign.isPending}>
            Assign
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" disabled={total === 0} onClick={() => (assign.reset(), setOpen(true))}>
          Assign {total} {noun} to team…
        </button>
      )}
      {assign.data ? (
        <span role="status">
          Assigned {assign.data.assigned} {assign.data.assigned === 1 ? "API" : "APIs"} to {assign.data.team.name}.
        </span>
      ) : null}
      {assign.error ? (
        <span role="alert" className="error">
          {assign.error.message}
        </span>
      ) : null}
    </div>
  );
}
