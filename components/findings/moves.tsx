"use client";
/**
 * The words and small forms of the remediation workflow shared by My findings, the triage queue, the Findings page's
 * bulk actions and a finding's page: what each move is called, which moves need more than a click (a reason, an
 * expiry, the original of a duplicate), and the answer of a bulk action in a sentence.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import type { FindingStatus } from "@/server/domain/findings";
import { statusLabel } from "./labels";

/** A move as a button says it, by the state it leads to (and, for open, where from). */
export function moveLabel(to: FindingStatus, from?: string): string {
  switch (to) {
    case "in_progress":
      return "Start";
    case "resolved":
      return "Resolve";
    case "triaged":
      return "Triage";
    case "open":
      return from && ["resolved", "risk_accepted", "false_positive", "duplicate"].includes(from) ? "Reopen" : "Back to open";
    case "risk_accepted":
      return "Accept risk";
    case "false_positive":
      return "False positive";
    case "duplicate":
      return "Duplicate";
  }
}

/** Moves that need input beyond the click: a reason (required), an expiry, the original finding. */
export function needsInput(to: FindingStatus): boolean {
  return to === "risk_accepted" || to === "false_positive" || to === "duplicate";
}

/** The moves of the team's work (one click): the others are decisions with a form. */
export const TEAM_MOVES: readonly FindingStatus[] = ["triaged", "in_progress", "resolved", "open"];

const DAY = 86_400_000;

/** yyyy-mm-dd, `days` from today (UTC). */
export function dateFromToday(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
}

/** An acceptance ends at the end of the chosen day (UTC). */
export function endOfDay(date: string): string {
  return `${date}T23:59:59.000Z`;
}

export type BulkAnswer = RouterOutputs["findings"]["transition"];

/** "Changed 82 of 85 findings; 3 skipped: already risk accepted (3)." */
export function describeResult(result: BulkAnswer, verb = "Changed"): string {
  if (result.matched === 0) return "No findings matched; nothing changed.";
  const head = `${verb} ${result.changed.toLocaleString("en")} of ${result.matched.toLocaleString("en")} finding${result.matched === 1 ? "" : "s"}`;
  if (result.skippedCount === 0) return `${head}.`;
  const why = result.reasons.map((r) => `${r.reason} (${r.count.toLocaleString("en")})`).join("; ");
  return `${head}; ${result.skippedCount.toLocaleString("en")} skipped: ${why}.`;
}

/** After any workflow action: every findings query (lists, My findings, the queue, the navigation's counts). */
export function useRefreshFindings(): () => Promise<void> {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.findings.pathKey() });
}

export interface DecisionValues {
  reason?: string;
  expiresAt?: string;
  duplicateOf?: string;
}

/**
 * The fields a move needs, for one target: a reason (required for accepting a risk and for a false positive,
 * optional otherwise), the acceptance's expiry (required; default 90 days, at most a year), the original's id for a
 * duplicate. Calls `onSubmit` with the values; the caller runs the mutation.
 */
export function DecisionFields({
  to,
  busy,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  to: FindingStatus;
  busy?: boolean;
  submitLabel: string;
  onSubmit: (values: DecisionValues) => void;
  onCancel?: () => void;
}) {
  const [reason, setReason] = useState("");
  const [expiry, setExpiry] = useState(dateFromToday(90));
  const [original, setOriginal] = useState("");
  const reasonRequired = to === "risk_accepted" || to === "false_positive";
  const ready = (!reasonRequired || reason.trim() !== "") && (to !== "risk_accepted" || expiry !== "") && (to !== "duplicate" || original.trim() !== "");
  return (
    <form
      className="toolbar"
      aria-label={`${statusLabel(to)}: details`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        onSubmit({
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(to === "risk_accepted" ? { expiresAt: endOfDay(expiry) } : {}),
          ...(to === "duplicate" ? { duplicateOf: original.trim() } : {}),
        });
      }}
    >
      <label style={{ flex: "1 1 260px" }}>
        {reasonRequired ? "Reason (required)" : "Reason (optional)"}
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={4000} required={reasonRequired} />
      </label>
      {to === "risk_accepted" ? (
        <label>
          Accepted until
          <input type="date" value={expiry} min={dateFromToday(1)} max={dateFromToday(364)} onChange={(e) => setExpiry(e.target.value)} required />
        </label>
      ) : null}
      {to === "duplicate" ? (
        <label>
          Original finding (id)
          <input value={original} onChange={(e) => setOriginal(e.target.value)} maxLength={64} required className="mono" />
        </label>
      ) : null}
      <button type="submit" className="primary" disabled={busy || !ready}>
        {submitLabel}
      </button>
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}
