"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { BANDS, FACTOR_LABELS, FACTOR_NAMES, FLOOR_LABELS, FLOOR_NAMES } from "@/server/domain/risk";
import { SEVERITIES } from "@/server/domain/severity";

type Weights = RouterOutputs["risk"]["weights"]["get"]["weights"];

/** Risk weights: admins edit and save; admins and the security team preview how the ranking would change. */
export function RiskWeightsEditor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const stored = useQuery(trpc.risk.weights.get.queryOptions());
  const [edited, setDraft] = useState<Weights | null>(null);
  const [previewOf, setPreviewOf] = useState<Weights | null>(null);
  // Until someone edits, the draft is what is stored.
  const draft = edited ?? stored.data?.weights ?? null;
  const preview = useQuery({ ...trpc.risk.weights.preview.queryOptions(previewOf as Weights), enabled: previewOf !== null });
  const save = useMutation(
    trpc.risk.weights.set.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.risk.weights.get.queryKey() });
        setPreviewOf(null);
      },
    }),
  );
  const canEdit = me.data?.role === "admin";
  if (!draft) return <p className="muted">Loading risk weights…</p>;

  const set = (group: keyof Weights, key: string, value: number) => setDraft({ ...draft, [group]: { ...draft[group], [key]: value } } as Weights);
  const total = Object.values(draft.factors).reduce((a, b) => a + b, 0);

  return (
    <section aria-label="Risk weights">
      <h2>Risk weights</h2>
      <p className="muted">
        An API&apos;s score is the sum of these factors&apos; points (capped at 100). Findings count with diminishing returns: each severity can reach its share of the
        factor, so any number of low findings stays below one critical. Current total of maxima: {total} (above 100 on purpose: an API bad on most
        counts saturates at 100). Floors lift the profiles a security lead ranks high whatever the sum: high starts at 60, critical at 80; 0 turns a floor off.
      </p>
      <div className="panel">
        <fieldset style={{ border: 0, padding: 0, display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(190px, 1fr))", gap: 8 }} disabled={!canEdit}>
          <legend>Factor maximum points</legend>
          {FACTOR_NAMES.map((key) => (
            <label key={key} style={{ display: "flex", flexDirection: "column", fontSize: 12 }}>
              {FACTOR_LABELS[key]}
              <input type="number" min={0} max={100} step={1} value={draft.factors[key]} onChange={(e) => set("factors", key, Number(e.target.value))} />
            </label>
          ))}
        </fieldset>
        <fieldset style={{ border: 0, padding: 0, marginTop: 8, display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(190px, 1fr))", gap: 8 }} disabled={!canEdit}>
          <legend>Severity share of a findings factor (0–1)</legend>
          {SEVERITIES.map((s) => (
            <label key={s} style={{ display: "flex", flexDirection: "column", fontSize: 12 }}>
              {s}
              <input type="number" min={0} max={1} step={0.01} value={draft.share[s]} onChange={(e) => set("share", s, Number(e.target.value))} />
            </label>
          ))}
        </fieldset>
        <fieldset style={{ border: 0, padding: 0, marginTop: 8, display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))", gap: 8 }} disabled={!canEdit}>
          <legend>Minimum score (floor) per profile</legend>
          {FLOOR_NAMES.map((key) => (
            <label key={key} style={{ display: "flex", flexDirection: "column", fontSize: 12 }}>
              {FLOOR_LABELS[key]}
              <input type="number" min={0} max={100} step={1} value={draft.floors[key]} onChange={(e) => set("floors", key, Number(e.target.value))} />
            </label>
          ))}
        </fieldset>
        <div className="toolbar" style={{ marginTop: 12 }}>
          <button type="button" onClick={() => setPreviewOf(draft)}>
            Preview ranking
          </button>
          {canEdit ? (
            <button type="button" className="primary" disabled={save.isPending} onClick={() => save.mutate(draft)}>
              Save and rescore
            </button>
          ) : (
            <span className="muted">Only admins can change weights.</span>
          )}
          <button type="button" onClick={() => stored.data && setDraft(stored.data.defaults)} disabled={!canEdit}>
            Reset to defaults
          </button>
        </div>
        {save.error ? <p className="error" role="alert">{save.error.message}</p> : null}
        {save.data ? <p role="status">Saved; {save.data.apisRescored} APIs rescored.</p> : null}
        {preview.error ? <p className="error" role="alert">{preview.error.message}</p> : null}
        {preview.data ? (
          <div role="status" aria-label="Ranking preview">
            <p>
              {preview.data.bandChanges} of {preview.data.apis} APIs would change band. Bands now →{" "}
              {BANDS.map((b) => `${b} ${preview.data.distribution.before[b]}→${preview.data.distribution.after[b]}`).join(", ")}
            </p>
            <table aria-label="Ranking changes">
              <thead>
                <tr>
                  <th>New rank</th>
                  <th>API</th>
                  <th>Score now</th>
                  <th>Score after</th>
                  <th>Rank move</th>
                </tr>
              </thead>
              <tbody>
                {preview.data.rows.map((r) => (
                  <tr key={r.slug}>
                    <td>{r.after.rank}</td>
                    <td>{r.name}</td>
                    <td>
                      {r.before.score} ({r.before.band})
                    </td>
                    <td>
                      {r.after.score} ({r.after.band})
                    </td>
                    <td>{r.before.rank === r.after.rank ? "—" : r.before.rank > r.after.rank ? `▲ ${r.before.rank - r.after.rank}` : `▼ ${r.after.rank - r.before.rank}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </section>
  );
}
