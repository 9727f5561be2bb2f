"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";

const LABELS: Record<string, string> = {
  assigned: "A finding is assigned to me",
  comment: "Someone comments on a finding I work on",
  overdue: "A finding of mine is overdue (once a day)",
  acceptance_expiring: "A risk acceptance is about to end",
  regression: "A resolved finding comes back",
};

/** One's notifications, paged, with mark read / mark all read. */
export function NotificationList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useQuery(trpc.notifications.list.queryOptions({ page, pageSize: 25, unreadOnly }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() }),
    ]);
  const mark = useMutation(trpc.notifications.markRead.mutationOptions({ onSuccess: refresh }));
  const pages = Math.max(1, Math.ceil((list.data?.total ?? 0) / 25));
  return (
    <section aria-label="Notifications">
      <div className="toolbar">
        <label style={{ flexDirection: "row", gap: 4 }}>
          <input type="checkbox" checked={unreadOnly} onChange={(e) => (setUnreadOnly(e.target.checked), setPage(1))} /> Unread only
        </label>
        <button type="button" onClick={() => mark.mutate({ all: true })} disabled={mark.isPending || !list.data?.unread}>
          Mark all read
        </button>
        <span className="muted">{list.data ? `${list.data.unread} unread` : ""}</span>
      </div>
      {mark.error ? <p className="error" role="alert">{mark.error.message}</p> : null}
      <div className="panel" style={{ padding: 0 }}>
        <table aria-label="Notifications">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((n) => (
              <tr key={n.id} style={n.readAt ? undefined : { fontWeight: 600 }}>
                <td className="mono">{new Date(n.createdAt).toLocaleString()}</td>
                <td>
                  {n.findingId ? <Link href={`/findings/${n.findingId}`}>{n.title}</Link> : n.title}
                  {n.body ? <div className="muted" style={{ fontWeight: 400 }}>{n.body}</div> : null}
                </td>
                <td>
                  {n.readAt ? null : (
                    <button type="button" onClick={() => mark.mutate({ ids: [n.id] })} disabled={mark.isPending}>
                      Mark read
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No notifications.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="toolbar">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span className="muted">
          Page {page} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </div>
    </section>
  );
}

/** Which types of in-app notification one receives (absent = on). */
export function NotificationPreferences() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const prefs = useQuery(trpc.notifications.preferences.get.queryOptions());
  const set = useMutation(
    trpc.notifications.preferences.set.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.notifications.preferences.get.queryKey(), data) }),
  );
  return (
    <section aria-label="Notification preferences">
      <h2>Preferences</h2>
      <fieldset className="panel" style={{ display: "grid", gap: 6 }}>
        <legend className="sr-only">In-app notifications</legend>
        {prefs.data?.map((p) => (
          <label key={p.type} style={{ flexDirection: "row", gap: 6 }}>
            <input type="checkbox" checked={p.inApp} disabled={set.isPending} onChange={(e) => set.mutate([{ type: p.type, inApp: e.target.checked }])} />
            {LABELS[p.type] ?? p.type}
          </label>
        ))}
      </fieldset>
      {set.error ? <p className="error" role="alert">{set.error.message}</p> : null}
    </section>
  );
}
