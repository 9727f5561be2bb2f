"use client";
/**
 * Bulk actions of the Findings page: on the ticked rows, or on everything the current filters match (not only the
 * page shown) — assign, move, accept a risk (reason and expiry), map to an Api. The server resolves a filter into the
 * findings the reader may see and acts on all of them in one transaction; the answer says how many changed and why
 * others were skipped.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterInputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { FINDING_STATUSES, type FindingStatus } from "@/server/domain/findings";
import { statusLabel } from "./labels";
import { type BulkAnswer, DecisionFields, type DecisionValues, describeResult, TEAM_MOVES, useRefreshFindings } from "./moves";

export type FindingFilter = RouterInputs["findings"]["summary"];
type Panel = "assign" | "move" | "accept" | "map";

export function BulkActions({
  filter,
  total,
  ticked,
  sampleId,
  userId,
  canDecide,
  canMap,
  onDone,
}: {
  filter: FindingFilter;
  /** Findings the filter matches. */
  total: number | undefined;
  ticked: string[];
  /** A finding of the selection, whose team's people are offered for assignment. */
  sampleId: string | undefined;
  userId: string;
  canDecide: boolean;
  canMap: boolean;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshFindings();
  const [panel, setPanel] = useState<Panel | null>(null);
  const [scope, setScope] = useState<"ticked" | "all">("ticked");
  const [assignee, setAssignee] = useState("me");
  const [target, setTarget] = useState<FindingStatus>("triaged");
  const [api, setApi] = useState("");
  const [result, setResult] = useState<{ text: string; error?: boolean } | null>(null);
  const useTicked = ticked.length > 0 && scope === "ticked";
  const count = useTicked ? ticked.length : (total ?? 0);
  const selection = useTicked ? { ids: ticked } : { filter };
  const people = useQuery({ ...trpc.findings.assignees.queryOptions({ id: sampleId ?? "" }), enabled: panel === "assign" && !!sampleId });

  const handlers = {
    onSuccess: (r: BulkAnswer) => {
      setResult({ text: describeResult(r) });
      setPanel(null);
      onDone();
      void refresh();
    },
    onError: (e: { message: string }) => setResult({ text: e.message, error: true }),
  };
  const transition = useMutation(trpc.findings.transition.mutationOptions(handlers));
  const assign = useMutation(trpc.findings.assign.mutationOptions(handlers));
  const map = useMutation(trpc.findings.mapToApi.mutationOptions(handlers));
  const busy = transition.isPending || assign.isPending || map.isPending;
  const targets = canDecide ? FINDING_STATUSES : TEAM_MOVES;
  const noun = `${count.toLocaleString("en")} finding${count === 1 ? "" : "s"}`;
  const toggle = (p: Panel) => {
    setResult(null);
    setPanel(panel === p ? null : p);
  };
  const move = (to: FindingStatus, values: DecisionValues) => transition.mutate({ ...selection, to, ...values });

  return (
    <section className="panel bulk-actions" aria-label="Bulk actions" style={{ marginBottom: 12 }}>
      <div className="row-actions" style={{ alignItems: "center" }}>
        <strong data-testid="match-count">{total === undefined ? "…" : `${total.toLocaleString("en")} finding${total === 1 ? "" : "s"} match`}</strong>
        {ticked.length > 0 ? (
          <span role="radiogroup" aria-label="Apply to">
            <label style={{ marginLeft: 8 }}>
              <input type="radio" name="bulk-scope" checked={scope === "ticked"} onChange={() => setScope("ticked")} /> the {ticked.length} ticked
            </label>
            <label style={{ marginLeft: 8 }}>
              <input type="radio" name="bulk-scope" checked={scope === "all"} onChange={() => setScope("all")} /> all that match
            </label>
          </span>
        ) : (
          <span className="muted">— actions apply to all of them, or tick rows</span>
        )}
        <span style={{ flex: 1 }} />
        <button type="button" aria-expanded={panel === "assign"} onClick={() => toggle("assign")} disabled={count === 0}>
          Assign…
        </button>
        <button type="button" aria-expanded={panel === "move"} onClick={() => toggle("move")} disabled={count === 0}>
          Move…
        </button>
        {canDecide ? (
          <button type="button" aria-expanded={panel === "accept"} onClick={() => toggle("accept")} disabled={count === 0}>
            Accept risk…
          </button>
        ) : null}
        {canMap ? (
          <button type="button" aria-expanded={panel === "map"} onClick={() => toggle("map")} disabled={count === 0}>
            Map to API…
          </button>
        ) : null}
      </div>

      {panel === "assign" ? (
        <form
          className="toolbar"
          aria-label="Assign the selection"
          style={{ marginTop: 10 }}
          onSubmit={(e) => {
            e.preventDefault();
            assign.mutate({ ...selection, assignee: assignee === "me" ? userId : assignee === "nobody" ? null : assignee });
          }}
        >
          <label>
            Assign to
            <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
              <option value="me">me</option>
              <option value="nobody">nobody (unassign)</option>
              {people.data?.people
                .filter((p) => p.id !== userId)
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name ? `${p.name} (${p.email})` : p.email}
                    {people.data?.team ? ` · ${people.data.team.name}` : ""}
                  </option>
                ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Assign {noun}
          </button>
          <span className="muted">A person is assigned the findings of their own teams; the others are skipped.</span>
        </form>
      ) : null}

      {panel === "move" ? (
        <div style={{ marginTop: 10 }}>
          <div className="toolbar" style={{ marginBottom: 4 }}>
            <label>
              Move to
              <select value={target} onChange={(e) => setTarget(e.target.value as FindingStatus)}>
                {targets.map((t) => (
                  <option key={t} value={t}>
                    {statusLabel(t)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <DecisionFields key={target} to={target} busy={busy} submitLabel={`Move ${noun}`} onSubmit={(v) => move(target, v)} onCancel={() => setPanel(null)} />
        </div>
      ) : null}

      {panel === "accept" ? (
        <div style={{ marginTop: 10 }}>
          <DecisionFields to="risk_accepted" busy={busy} submitLabel={`Accept risk for ${noun}`} onSubmit={(v) => move("risk_accepted", v)} onCancel={() => setPanel(null)} />
        </div>
      ) : null}

      {panel === "map" ? (
        <form
          className="toolbar"
          aria-label="Map the selection to an API"
          style={{ marginTop: 10 }}
          onSubmit={(e) => {
            e.preventDefault();
            if (api.trim()) map.mutate({ ...selection, api: api.trim().toLowerCase() });
          }}
        >
          <label>
            API (slug)
            <input value={api} onChange={(e) => setApi(e.target.value)} placeholder="e.g. payments-api" required />
          </label>
          <button type="submit" className="primary" disabled={busy || !api.trim()}>
            Map {noun}
          </button>
          <span className="muted">Each finding&apos;s team follows the API&apos;s owner.</span>
        </form>
      ) : null}

      {result ? (
        <p role="status" className={result.error ? "error" : "muted"} style={{ margin: "8px 0 0" }} data-testid="bulk-result">
          {result.text}
        </p>
      ) : null}
    </section>
  );
}
