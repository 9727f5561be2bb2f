"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";

type SlaKey = keyof RouterOutputs["sla"]["settings"]["values"];

const LABELS: Record<SlaKey, string> = {
  critical: "Critical: days to fix",
  high: "High: days to fix",
  medium: "Medium: days to fix",
  low: "Low: days to fix",
  maxAcceptanceDays: "Longest risk acceptance (days)",
  reminderDays: "Reminder before an acceptance ends (days)",
};

/**
 * Settings → SLA: days to fix per severity, the longest acceptance and the reminder lead time (admins change them;
 * security sees them). Changing the days recomputes the due dates of open and accepted findings.
 */
export function SlaSettings({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery(trpc.sla.settings.queryOptions());
  const [saved, setSaved] = useState<string | null>(null);
  const save = useMutation(
    trpc.sla.setSettings.mutationOptions({
      onSuccess: async (result) => {
        setSaved(result.recomputed ? `Saved; ${result.recomputed.toLocaleString()} due dates recomputed.` : "Saved.");
        await queryClient.invalidateQueries({ queryKey: trpc.sla.settings.queryKey() });
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSaved(null);
    save.mutate(Object.fromEntries(Object.keys(LABELS).map((key) => [key, Number(form.get(key))])));
  }

  if (!current.data) return null;
  const { values, defaults } = current.data;
  return (
    <section aria-label="SLA">
      <h2>Remediation SLA</h2>
      <p className="muted">
        A finding is due its severity&apos;s days after it was first seen, plus the time it stood accepted. Changing the days recomputes
        the due dates of open and accepted findings; closed ones keep the date they closed against.
      </p>
      <form className="panel" onSubmit={onSubmit}>
        <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))", gap: 10 }}>
          {(Object.entries(LABELS) as [SlaKey, string][]).map(([key, label]) => (
            <label key={key} style={{ display: "flex", flexDirection: "column", gap: 2 }}>
              <span>
                {label} {values[key] !== defaults[key] ? <span className="badge warn">default {defaults[key]}</span> : null}
              </span>
              <input name={key} type="number" step={1} min={key === "reminderDays" ? 0 : 1} max={3650} defaultValue={values[key]} disabled={!canEdit} required />
            </label>
          ))}
        </div>
        {canEdit ? (
          <p>
            <button className="primary" type="submit" disabled={save.isPending}>
              Save SLA
            </button>{" "}
            {saved ? <span role="status">{saved}</span> : null}
            {save.error ? (
              <span role="alert" className="error">
                {save.error.message}
              </span>
            ) : null}
          </p>
        ) : (
          <p className="muted">Only admins change the SLA.</p>
        )}
      </form>
    </section>
  );
}
