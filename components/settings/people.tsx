"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { ROLES } from "@/server/auth/roles";

type Person = RouterOutputs["people"]["list"][number];
type Role = (typeof ROLES)[number];

/** A password shown once: after a create or a reset. */
function OncePassword({ who, password, onDone }: { who: string; password: string; onDone: () => void }) {
  return (
    <div className="panel" role="status" aria-label="Password shown once">
      <p>
        Password for {who}. Copy it now and hand it over safely; it will not be shown again, and {who} must change it at first sign-in:
      </p>
      <p className="token-once mono" data-testid="password-once">
        {password}
      </p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function State({ person }: { person: Person }) {
  return (
    <>
      {person.deactivatedAt ? <span className="badge bad">deactivated</span> : <span className="badge ok">active</span>}
      {person.lockedUntil ? (
        <span className="badge warn" title={`until ${new Date(person.lockedUntil).toLocaleString()}`}>
          locked
        </span>
      ) : null}
      {person.mustChangePassword ? <span className="badge">must change password</span> : null}
    </>
  );
}

export function PeopleAdmin({ me }: { me: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const people = useQuery(trpc.people.list.queryOptions());
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [shown, setShown] = useState<{ who: string; password: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.people.list.queryKey() });
  /** Each action: its answer refreshes the list and clears the last error; a refusal is shown. */
  const handlers = <T,>(then?: (value: T) => void) => ({
    onSuccess: (value: T) => {
      setError(null);
      then?.(value);
      void refresh();
    },
    onError: (e: { message: string }) => {
      setShown(null);
      setError(e.message);
    },
  });

  const create = useMutation(
    trpc.people.create.mutationOptions(
      handlers((created: { email: string; generatedPassword: string | null }) =>
        setShown(created.generatedPassword ? { who: created.email, password: created.generatedPassword } : null),
      ),
    ),
  );
  const setRole = useMutation(trpc.people.setRole.mutationOptions(handlers()));
  const deactivate = useMutation(trpc.people.deactivate.mutationOptions(handlers()));
  const reactivate = useMutation(trpc.people.reactivate.mutationOptions(handlers()));
  const unlock = useMutation(trpc.people.unlock.mutationOptions(handlers()));
  const reset = useMutation(trpc.people.resetPassword.mutationOptions(handlers((r: { email: string; password: string }) => setShown({ who: r.email, password: r.password }))));

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setShown(null);
    create.mutate(
      {
        email: String(form.get("email") ?? ""),
        role: String(form.get("role") ?? "developer") as Role,
        teams: form.getAll("team").map(String),
        ...(name ? { name } : {}),
        ...(password ? { password } : {}),
      },
      { onSuccess: () => formElement.reset() },
    );
  }

  return (
    <>
      <section aria-label="Add a person">
        <h2>Add a person</h2>
        <form className="panel" onSubmit={onCreate} style={{ display: "flex", flexDirection: "column", gap: 10 }}>
          <div className="toolbar" style={{ margin: 0 }}>
            <label>
              Email
              <input name="email" type="email" required maxLength={254} autoComplete="off" />
            </label>
            <label>
              Name
              <input name="name" maxLength={120} placeholder="optional" />
            </label>
            <label>
              Role
              <select name="role" defaultValue="developer">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Password
              <input name="password" type="password" minLength={12} maxLength={128} autoComplete="new-password" placeholder="empty: generate one" />
            </label>
          </div>
          <fieldset style={{ border: 0, padding: 0, display: "flex", flexWrap: "wrap", gap: 10 }}>
            <legend className="muted" style={{ fontSize: 12 }}>
              Teams
            </legend>
            {teams.data?.map((t) => (
              <label key={t.slug} style={{ display: "flex", flexDirection: "row", gap: 4, alignItems: "center" }}>
                <input type="checkbox" name="team" value={t.slug} /> {t.name}
              </label>
            ))}
            {teams.data?.length === 0 ? <span className="muted">No teams yet (Settings → Teams).</span> : null}
          </fieldset>
          <p className="muted" style={{ margin: 0 }}>
            The person signs in with this password and must then choose their own.
          </p>
          <p style={{ margin: 0 }}>
            <button className="primary" type="submit" disabled={create.isPending}>
              Add person
            </button>
          </p>
        </form>
      </section>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {shown ? <OncePassword who={shown.who} password={shown.password} onDone={() => setShown(null)} /> : null}
      <h2>People</h2>
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="People">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Teams</th>
              <th>State</th>
              <th>Tokens</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {people.data?.map((p) => (
              <tr key={p.id}>
                <td>{p.email}</td>
                <td>{p.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${p.email}`}
                    value={p.role}
                    disabled={setRole.isPending}
                    onChange={(e) => setRole.mutate({ id: p.id, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{p.teams.map((t) => t.name).join(", ") || <span className="muted">none</span>}</td>
                <td>
                  <State person={p} />
                </td>
                <td>{p.tokens}</td>
                <td style={{ whiteSpace: "nowrap" }}>
                  {p.deactivatedAt ? (
                    <button type="button" onClick={() => reactivate.mutate({ id: p.id })} aria-label={`Reactivate ${p.email}`}>
                      Reactivate
                    </button>
                  ) : p.id !== me ? (
                    <button type="button" onClick={() => deactivate.mutate({ id: p.id })} aria-label={`Deactivate ${p.email}`}>
                      Deactivate
                    </button>
                  ) : null}{" "}
                  <button type="button" onClick={() => reset.mutate({ id: p.id })} aria-label={`Reset the password of ${p.email}`}>
                    Reset password
                  </button>{" "}
                  {p.lockedUntil ? (
                    <button type="button" onClick={() => unlock.mutate({ id: p.id })} aria-label={`Unlock ${p.email}`}>
                      Unlock
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        Deactivating signs the person out at once and revokes their API tokens; they cannot sign in until reactivated. The last
        active admin can be neither deactivated nor given another role.
      </p>
    </>
  );
}
