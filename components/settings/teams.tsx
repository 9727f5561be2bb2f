"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";

function ErrorLine({ message }: { message: string | null | undefined }) {
  return message ? (
    <p role="alert" className="error">
      {message}
    </p>
  ) : null;
}

/** Settings → Teams: every team with its members and Apis counted; create one. */
export function TeamsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const create = useMutation(
    trpc.teams.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() }) }),
  );

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const slug = String(form.get("slug") ?? "").trim();
    create.mutate({ name: String(form.get("name") ?? ""), ...(slug ? { slug } : {}) }, { onSuccess: () => formElement.reset() });
  }

  return (
    <>
      <form className="toolbar" onSubmit={onCreate} aria-label="Create a team">
        <label>
          Team name
          <input name="name" required maxLength={80} placeholder="Payments" />
        </label>
        <label>
          Slug
          <input name="slug" maxLength={100} placeholder="from the name" />
        </label>
        <button className="primary" type="submit" disabled={create.isPending}>
          Create team
        </button>
      </form>
      <p className="muted">
        Inventories name owners by slug (Backstage spec.owner, x-owner, Kong owner tags, CSV): renaming a team keeps its slug.
      </p>
      <ErrorLine message={create.error?.message} />
      <div className="panel" style={{ padding: 0 }}>
        <table aria-label="Teams">
          <thead>
            <tr>
              <th>Team</th>
              <th>Slug</th>
              <th>Members</th>
              <th>APIs owned</th>
            </tr>
          </thead>
          <tbody>
            {teams.data?.map((t) => (
              <tr key={t.slug}>
                <td>
                  <Link href={`/settings/teams/${encodeURIComponent(t.slug)}`}>{t.name}</Link>
                </td>
                <td className="mono">{t.slug}</td>
                <td>{t.members}</td>
                <td>
                  <Link href={`/apis?team=${encodeURIComponent(t.slug)}`}>{t.apis}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** One team: rename it, add and remove members, and the Apis it owns. */
export function TeamDetail({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useQuery(trpc.teams.get.queryOptions({ slug }));
  const people = useQuery(trpc.people.list.queryOptions());
  const [candidate, setCandidate] = useState("");
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.teams.get.queryKey({ slug }) }),
      queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.people.list.queryKey() }),
    ]);
  const rename = useMutation(trpc.teams.rename.mutationOptions({ onSuccess: refresh }));
  const add = useMutation(trpc.teams.addMember.mutationOptions({ onSuccess: () => (setCandidate(""), refresh()) }));
  const remove = useMutation(trpc.teams.removeMember.mutationOptions({ onSuccess: refresh }));
  const error = [rename, add, remove].find((m) => m.error)?.error?.message;

  if (!team.data) return <p className="muted">{team.error ? team.error.message : "Loading…"}</p>;
  const data = team.data;
  const members = new Set(data.members.map((m) => m.id));
  const others = (people.data ?? []).filter((p) => !members.has(p.id));

  function onRename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ slug, name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  return (
    <>
      <p>
        <Link href="/settings/teams">← Teams</Link>
      </p>
      <h1>{data.name}</h1>
      <p className="muted mono">{data.slug}</p>
      <form className="toolbar" onSubmit={onRename} aria-label="Rename the team">
        <label>
          Name
          <input name="name" required maxLength={80} defaultValue={data.name} key={data.name} />
        </label>
        <button type="submit" disabled={rename.isPending}>
          Rename
        </button>
      </form>
      <ErrorLine message={error} />
      <section aria-label="Members">
        <h2>Members</h2>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (candidate) add.mutate({ team: slug, userId: candidate });
          }}
        >
          <label>
            Person
            <select value={candidate} onChange={(e) => setCandidate(e.target.value)} aria-label="Person to add">
              <option value="">choose…</option>
              {others.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.email}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={!candidate || add.isPending}>
            Add member
          </button>
        </form>
        <div className="panel" style={{ padding: 0 }}>
          <table aria-label="Team members">
            <thead>
              <tr>
                <th>Email</th>
                <th>Name</th>
                <th>Role</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.members.map((m) => (
                <tr key={m.id}>
                  <td>
                    {m.email} {m.active ? null : <span className="badge bad">deactivated</span>}
                  </td>
                  <td>{m.name}</td>
                  <td>{m.role}</td>
                  <td>
                    <button type="button" onClick={() => remove.mutate({ team: slug, userId: m.id })} aria-label={`Remove ${m.email} from ${data.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
              {data.members.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No members.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-label="APIs owned">
        <h2>APIs owned ({data.apis.length})</h2>
        {data.apis.length ? (
          <ul>
            {data.apis.map((a) => (
              <li key={a.slug}>
                <Link href={`/apis/${encodeURIComponent(a.slug)}`}>{a.name}</Link>{" "}
                {a.lifecycle ? <span className="badge">{a.lifecycle}</span> : null}
                {a.riskBand ? <span className="badge">risk {a.riskBand}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">This team owns no API.</p>
        )}
      </section>
    </>
  );
}
