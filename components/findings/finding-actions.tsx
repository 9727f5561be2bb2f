"use client";
/**
 * What the reader may do with one finding, on its page: move it (one click for the team's moves; a reason, an expiry
 * or the original for decisions), assign it to a person of the owning team, propose a false positive (developers),
 * comment in markdown. The server said which of these the reader may do (findings.get `actions`); the page's history
 * reloads after each.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import type { FindingStatus } from "@/server/domain/findings";
import { statusLabel } from "./labels";
import { DecisionFields, moveLabel, needsInput, useRefreshFindings } from "./moves";
import { CommentBox } from "./my-findings";

type Finding = Pick<RouterOutputs["findings"]["get"], "id" | "title" | "status" | "actions" | "assignee" | "team">;

export function FindingActions({ finding, userId }: { finding: Finding; userId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = useRefreshFindings();
  const [deciding, setDeciding] = useState<FindingStatus | null>(null);
  const [assignee, setAssignee] = useState("");
  const [proposing, setProposing] = useState(false);
  const [reason, setReason] = useState("");
  const [commentKey, setCommentKey] = useState(0);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const people = useQuery({ ...trpc.findings.assignees.queryOptions({ id: finding.id }), enabled: finding.actions.assign });

  const after = (text: string) => () => {
    setNotice({ text });
    setDeciding(null);
    router.refresh();
    void refresh();
  };
  const onError = (e: { message: string }) => setNotice({ text: e.message, error: true });
  const transition = useMutation(trpc.findings.transition.mutationOptions({ onError }));
  const assign = useMutation(trpc.findings.assign.mutationOptions({ onError }));
  const propose = useMutation(trpc.findings.propose.mutationOptions({ onError }));
  const reject = useMutation(trpc.findings.rejectProposal.mutationOptions({ onError }));
  const [rejecting, setRejecting] = useState(false);
  const [rejectReason, setRejectReason] = useState("");
  const comment = useMutation(trpc.findings.comment.mutationOptions({ onError }));
  const busy = transition.isPending || assign.isPending || propose.isPending || comment.isPending || reject.isPending;

  const move = (to: FindingStatus, values = {}) =>
    transition.mutate({ ids: [finding.id], to, ...values }, { onSuccess: after(`Moved to ${statusLabel(to)}.`) });
  const doAssign = (id: string | null) =>
    assign.mutate({ ids: [finding.id], assignee: id }, { onSuccess: after(id ? "Assigned." : "Unassigned.") });
  const mayAssignMe = people.data?.people.some((p) => p.id === userId) && finding.assignee?.id !== userId;
  const { moves } = finding.actions;

  return (
    <section className="panel" aria-label="Actions">
      {moves.length ? (
        <div className="row-actions" role="group" aria-label="Move">
          <span className="muted">Move:</span>
          {moves.map((to) =>
            needsInput(to) ? (
              <button key={to} type="button" aria-expanded={deciding === to} onClick={() => setDeciding(deciding === to ? null : to)}>
                {moveLabel(to, finding.status)}…
              </button>
            ) : (
              <button key={to} type="button" disabled={busy} onClick={() => move(to)}>
                {moveLabel(to, finding.status)}
              </button>
            ),
          )}
        </div>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          {finding.actions.comment ? `No moves from ${statusLabel(finding.status)} for your role.` : "You may read this finding."}
        </p>
      )}
      {deciding ? (
        <DecisionFields key={deciding} to={deciding} busy={busy} submitLabel={moveLabel(deciding, finding.status)} onSubmit={(v) => move(deciding, v)} onCancel={() => setDeciding(null)} />
      ) : null}

      {finding.actions.assign ? (
        <form
          className="toolbar"
          aria-label="Assign"
          style={{ marginTop: 10 }}
          onSubmit={(e) => {
            e.preventDefault();
            if (assignee) doAssign(assignee);
          }}
        >
          <label>
            {people.data?.team ? `Assign to a person of ${people.data.team.name}` : "Assign to a person of the security team"}
            <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
              <option value="">{people.isLoading ? "loading…" : "choose"}</option>
              {people.data?.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name ? `${p.name} (${p.email})` : p.email}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || !assignee}>
            Assign
          </button>
          {mayAssignMe ? (
            <button type="button" disabled={busy} onClick={() => doAssign(userId)}>
              Assign to me
            </button>
          ) : null}
          {finding.assignee ? (
            <button type="button" disabled={busy} onClick={() => doAssign(null)}>
              Unassign
            </button>
          ) : null}
        </form>
      ) : null}

      {finding.actions.propose ? (
        proposing ? (
          <form
            className="toolbar"
            aria-label="Propose false positive"
            onSubmit={(e) => {
              e.preventDefault();
              if (reason.trim())
                propose.mutate(
                  { id: finding.id, reason: reason.trim() },
                  { onSuccess: () => (setProposing(false), setReason(""), after("Proposed as a false positive; the security team decides.")()) },
                );
            }}
          >
            <label style={{ flex: "1 1 260px" }}>
              Why is it a false positive? (required)
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={4000} required />
            </label>
            <button type="submit" className="primary" disabled={busy || !reason.trim()}>
              Propose false positive
            </button>
            <button type="button" onClick={() => setProposing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <div className="row-actions" style={{ marginTop: 10 }}>
            <button type="button" onClick={() => setProposing(true)}>
              Propose false positive…
            </button>
          </div>
        )
      ) : null}

      {finding.actions.rejectProposal ? (
        rejecting ? (
          <form
            className="toolbar"
            aria-label="Reject proposal"
            onSubmit={(e) => {
              e.preventDefault();
              if (rejectReason.trim())
                reject.mutate(
                  { id: finding.id, reason: rejectReason.trim() },
                  { onSuccess: () => (setRejecting(false), setRejectReason(""), after("Proposal rejected; the finding keeps its state.")()) },
                );
            }}
          >
            <label style={{ flex: "1 1 260px" }}>
              Why is it not a false positive? (required)
              <input value={rejectReason} onChange={(e) => setRejectReason(e.target.value)} maxLength={4000} required />
            </label>
            <button type="submit" className="primary" disabled={busy || !rejectReason.trim()}>
              Reject proposal
            </button>
            <button type="button" onClick={() => setRejecting(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <div className="row-actions" style={{ marginTop: 10 }}>
            <button type="button" onClick={() => setRejecting(true)}>
              Reject the false-positive proposal…
            </button>
          </div>
        )
      ) : null}

      {finding.actions.comment ? (
        <CommentBox
          key={commentKey}
          busy={busy}
          onSubmit={(body) => comment.mutate({ id: finding.id, body }, { onSuccess: () => (setCommentKey((k) => k + 1), after("Comment added.")()) })}
        />
      ) : null}
      <p role="status" aria-live="polite" className={notice?.error ? "error" : "muted"} style={{ margin: "6px 0 0", minHeight: "1.4em" }}>
        {notice?.text ?? ""}
      </p>
    </section>
  );
}
