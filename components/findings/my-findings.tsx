"use client";
/**
 * My findings, the developer's home: what is assigned to me, then my teams' unassigned findings, overdue first, then
 * by due date. One click moves a finding along (the moves the transition table allows my role), assigns it to me or
 * opens a comment box; the keyboard does the same (j/k to move between rows, s start, r resolve, t triage, a assign
 * to me, c comment, o or Enter open, ? the list of shortcuts).
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { Pager, SkipToPager } from "@/components/ui/pager";
import type { FindingStatus } from "@/server/domain/findings";
import { SeverityBadge, SlaDue, StatusBadge, statusLabel } from "./labels";
import { moveLabel, TEAM_MOVES, useRefreshFindings } from "./moves";

type Row = RouterOutputs["findings"]["mine"]["rows"][number];

const SHORTCUTS: readonly [string, string][] = [
  ["j / ↓", "next finding"],
  ["k / ↑", "previous finding"],
  ["s", "start (in progress)"],
  ["r", "resolve"],
  ["t", "triage"],
  ["a", "assign to me"],
  ["c", "comment"],
  ["o / Enter", "open the finding"],
  ["?", "show or hide these shortcuts"],
  ["Esc", "close"],
];

/** Keys typed into a field are the field's, not shortcuts. */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

export function MyFindings({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = useRefreshFindings();
  const [page, setPage] = useState(1);
  const [cursor, setCursor] = useState(0);
  const [commenting, setCommenting] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const list = useQuery({ ...trpc.findings.mine.queryOptions({ page, pageSize: 50 }), placeholderData: keepPreviousData });
  const rows = list.data?.rows ?? [];
  const tableRef = useRef<HTMLTableElement>(null);

  const done = (text: string) => () => {
    setNotice({ text });
    void refresh();
  };
  const failed = (e: { message: string }) => setNotice({ text: e.message, error: true });
  const transition = useMutation(trpc.findings.transition.mutationOptions({ onError: failed }));
  const assign = useMutation(trpc.findings.assign.mutationOptions({ onError: failed }));
  const comment = useMutation(trpc.findings.comment.mutationOptions({ onError: failed }));

  function move(row: Row, to: FindingStatus) {
    if (!row.moves.includes(to)) {
      setNotice({ text: `“${row.title}” cannot move to ${statusLabel(to)} (it is ${statusLabel(row.status)}).`, error: true });
      return;
    }
    transition.mutate({ ids: [row.id], to }, { onSuccess: done(`Moved “${row.title}” to ${statusLabel(to)}.`) });
  }
  function assignToMe(row: Row) {
    if (row.assignedToMe) return setNotice({ text: `“${row.title}” is already yours.` });
    assign.mutate({ ids: [row.id], assignee: userId }, { onSuccess: done(`Assigned “${row.title}” to you.`) });
  }

  // Keep the cursor on the page's rows (a move can take a row off the list).
  const last = Math.max(rows.length - 1, 0);
  const current = Math.min(cursor, last);

  // j/k bring the current row into view and give it focus, so screen readers follow.
  const steered = useRef(false);
  useEffect(() => {
    if (!steered.current) return;
    steered.current = false;
    tableRef.current?.querySelector<HTMLTableRowElement>(`tbody tr[data-index="${current}"]`)?.focus();
  }, [current]);
  const steer = (to: number) => {
    steered.current = true;
    setCursor(Math.max(0, Math.min(to, last)));
  };

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === "Escape") {
        setHelp(false);
        setCommenting(null);
        return;
      }
      if (typing(event.target)) return;
      const row = rows[current];
      const act = (fn: () => void) => {
        event.preventDefault();
        fn();
      };
      switch (event.key) {
        case "?":
          return act(() => setHelp((h) => !h));
        case "j":
        case "ArrowDown":
          return act(() => steer(current + 1));
        case "k":
        case "ArrowUp":
          return act(() => steer(current - 1));
      }
      if (!row) return;
      switch (event.key) {
        case "s":
          return act(() => move(row, "in_progress"));
        case "r":
          return act(() => move(row, "resolved"));
        case "t":
          return act(() => move(row, "triaged"));
        case "a":
          return act(() => assignToMe(row));
        case "c":
          return act(() => setCommenting(row.id));
        case "o":
        case "Enter":
          if (event.target instanceof HTMLElement && event.target.closest("a, button")) return;
          return act(() => router.push(`/findings/${row.id}`));
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <div className="grid-cards" aria-label="My findings in numbers" role="group">
        <div className="panel">
          <div className="card-num" data-testid="count-assigned">{data ? data.counts.assigned.toLocaleString("en") : "…"}</div>
          <div className="card-label">assigned to me</div>
        </div>
        <div className="panel">
          <div className="card-num" data-testid="count-team">{data ? data.counts.team.toLocaleString("en") : "…"}</div>
          <div className="card-label">my teams&apos; unassigned</div>
        </div>
        <div className="panel">
          <div className="card-num" data-testid="count-overdue" style={data?.counts.overdue ? { color: "var(--critical)" } : undefined}>
            {data ? data.counts.overdue.toLocaleString("en") : "…"}
          </div>
          <div className="card-label">overdue</div>
        </div>
      </div>
      <p className="muted">
        Active findings (open, triaged, in progress): yours first, then your teams&apos; that nobody has taken; overdue first, then by due date.{" "}
        <button type="button" className="linkish" onClick={() => setHelp((h) => !h)} aria-expanded={help} aria-controls="shortcuts">
          Keyboard shortcuts (?)
        </button>
      </p>
      {help ? (
        <section id="shortcuts" className="panel" role="dialog" aria-label="Keyboard shortcuts" style={{ marginBottom: 12 }}>
          <dl className="kv">
            {SHORTCUTS.map(([key, what]) => (
              <div key={key} style={{ display: "contents" }}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
          <button type="button" onClick={() => setHelp(false)}>
            Close
          </button>
        </section>
      ) : null}
      <p role="status" aria-live="polite" className={notice?.error ? "error" : "muted"} style={{ minHeight: "1.4em" }}>
        {notice?.text ?? ""}
      </p>
      {list.error ? (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      ) : null}
      <SkipToPager id="my-findings-pages" />
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="My findings" aria-busy={list.isFetching} ref={tableRef}>
          <thead>
            <tr>
              <th>Severity</th>
              <th>Finding</th>
              <th>API</th>
              <th>Status</th>
              <th>Assignee</th>
              <th>SLA due</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const isCurrent = index === current;
              const moves = TEAM_MOVES.filter((m) => row.moves.includes(m));
              return (
                <tr
                  key={row.id}
                  data-index={index}
                  data-finding={row.id}
                  tabIndex={isCurrent ? 0 : -1}
                  aria-current={isCurrent ? "true" : undefined}
                  className={isCurrent ? "current-row" : undefined}
                  onClick={() => setCursor(index)}
                >
                  <td>
                    <SeverityBadge severity={row.severity} />
                  </td>
                  <td>
                    <Link href={`/findings/${row.id}`}>{row.title}</Link>
                    <div className="muted mono">
                      {row.ruleId}
                      {row.where ? ` · ${row.where}` : ""}
                    </div>
                    {row.proposedStatus ? <span className="badge">proposed {statusLabel(row.proposedStatus)}</span> : null}
                    {commenting === row.id ? (
                      <CommentBox
                        autoFocus
                        busy={comment.isPending}
                        onCancel={() => setCommenting(null)}
                        onSubmit={(body) =>
                          comment.mutate(
                            { id: row.id, body },
                            {
                              onSuccess: () => {
                                setCommenting(null);
                                done(`Commented on “${row.title}”.`)();
                              },
                            },
                          )
                        }
                      />
                    ) : null}
                  </td>
                  <td>
                    {row.api ? <Link href={`/apis/${row.api.slug}`}>{row.api.name}</Link> : <span className="muted">—</span>}
                    {row.team ? <div className="muted" data-testid="row-team">{row.team.name}</div> : null}
                  </td>
                  <td>
                    <StatusBadge status={row.status} resolution={row.resolution} regression={row.regression} />
                  </td>
                  <td>{row.assignee ? (row.assignedToMe ? <strong>me</strong> : row.assignee.name || row.assignee.email) : <span className="muted">unassigned</span>}</td>
                  <td>
                    <SlaDue dueAt={row.slaDueAt} overdue={row.overdue} />
                  </td>
                  <td>
                    <div className="row-actions">
                      {moves.map((to) => (
                        <button key={to} type="button" disabled={transition.isPending} onClick={() => move(row, to)} aria-label={`${moveLabel(to, row.status)}: ${row.title}`}>
                          {moveLabel(to, row.status)}
                        </button>
                      ))}
                      {!row.assignedToMe ? (
                        <button type="button" disabled={assign.isPending} onClick={() => assignToMe(row)} aria-label={`Assign to me: ${row.title}`}>
                          Assign to me
                        </button>
                      ) : null}
                      <button type="button" onClick={() => setCommenting(row.id)} aria-label={`Comment: ${row.title}`}>
                        Comment
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
            {data && rows.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  Nothing to do: no active findings are assigned to you or waiting in your teams.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager id="my-findings-pages" page={page} pages={pages} total={data?.total} noun="findings" onPage={(p) => (setPage(p), setCursor(0))} />
    </>
  );
}

/** A markdown comment box: Ctrl/⌘+Enter posts, Esc closes. */
export function CommentBox({
  busy,
  autoFocus = false,
  onSubmit,
  onCancel,
}: {
  busy?: boolean;
  autoFocus?: boolean;
  onSubmit: (body: string) => void;
  onCancel?: () => void;
}) {
  const [body, setBody] = useState("");
  return (
    <form
      className="comment-box"
      aria-label="Comment"
      onSubmit={(e) => {
        e.preventDefault();
        if (body.trim()) onSubmit(body.trim());
      }}
    >
      <label>
        Comment (markdown)
        <textarea
          autoFocus={autoFocus}
          rows={3}
          value={body}
          maxLength={20_000}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && body.trim()) {
              e.preventDefault();
              onSubmit(body.trim());
            }
          }}
        />
      </label>
      <div className="row-actions">
        <button type="submit" className="primary" disabled={busy || !body.trim()}>
          Post comment
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
