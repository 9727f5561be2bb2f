"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";

type Threshold = keyof RouterOutputs["settings"]["thresholds"]["values"];

/** Human labels for the rule thresholds (DESIGN.md §3), one for each setting the server answers with. */
const LABELS: Record<Threshold, string> = {
  zombieWindowDays: "Zombie: traffic window (days)",
  unusedWindowDays: "Unused endpoint: window without traffic (days)",
  enumerationDistinctValues: "Object enumeration: distinct values of one parameter",
  enumerationWindowMinutes: "Object enumeration: window (minutes)",
  slowEnumerationDayDistinct: "Slow enumeration: distinct values in a UTC day",
  slowEnumerationWeekDistinct: "Slow enumeration: distinct values over several days",
  slowEnumerationWeekDays: "Slow enumeration: those days",
  credentialStuffingFailures: "Credential stuffing: 401/403 responses",
  credentialStuffingWindowMinutes: "Credential stuffing: window (minutes)",
  rateLimitRequestsPerMinute: "Missing rate limit: requests per minute",
  rateLimitSustainedMinutes: "Missing rate limit: consecutive minutes",
  exfiltrationMultiplier: "Exfiltration: × median of previous days",
  exfiltrationMinBytes: "Exfiltration: minimum bytes in a day",
  exfiltrationBaselineDays: "Exfiltration: baseline days",
  exfiltrationMinBaselineDays: "Exfiltration: minimum baseline days with traffic",
  newClientMaxEarlierDays: "New-client harvesting: client with fewer earlier days than",
  newClientMultiplier: "New-client harvesting: × median of the day's other clients",
  newClientMinOtherClients: "New-client harvesting: minimum other clients that day",
  newClientMinBytes: "New-client harvesting: minimum bytes in a day",
  errorLeakageRatio: "Error leakage: 5xx ratio (0–1)",
  errorLeakageMinRequests: "Error leakage: minimum requests in a day",
  staleSecretDays: "Stale secret: days without rotation",
  overSharedIdentities: "Over-shared secret: more than N identities",
  overSharedWindowDays: "Over-shared secret: window (days)",
  deniedBurstEvents: "Secret access denied burst: events",
  deniedBurstWindowMinutes: "Secret access denied burst: window (minutes)",
  accessAnomalyBaselineDays: "Secret access anomaly: baseline days",
  accessAnomalyMinHistoryDays: "Secret access anomaly: minimum baseline days with events",
  accessAnomalySpikeMultiplier: "Secret access anomaly: volume spike × daily median",
  accessAnomalySpikeMinReads: "Secret access anomaly: volume spike minimum reads in a day",
  signalLookbackDays: "Traffic and secret signals: look-back (days)",
};

export function RuleThresholds({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery(trpc.settings.thresholds.queryOptions());
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.settings.setThresholds.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await queryClient.invalidateQueries({ queryKey: trpc.settings.thresholds.queryKey() });
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = Object.fromEntries(Object.keys(LABELS).map((key) => [key, Number(form.get(key))]));
    setSaved(false);
    save.mutate(values);
  }

  if (!current.data) return null;
  const { values, defaults } = current.data;
  return (
    <section aria-label="Rule thresholds">
      <h2>Rule thresholds</h2>
      <p className="muted">Defaults follow the design brief; changes apply from the next correlation (after an ingest, or `postern correlate`).</p>
      <form className="panel" onSubmit={onSubmit}>
        <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(320px, 1fr))", gap: 10 }}>
          {Object.entries(LABELS).map(([key, label]) => {
            const value = values[key as keyof typeof values];
            const fallback = defaults[key as keyof typeof defaults];
            return (
              <label key={key} style={{ display: "flex", flexDirection: "column", gap: 2 }}>
                <span>
                  {label} {value !== fallback ? <span className="badge warn">default {fallback}</span> : null}
                </span>
                <input name={key} type="number" step="any" min={0} defaultValue={value} disabled={!canEdit} required />
              </label>
            );
          })}
        </div>
        {canEdit ? (
          <p>
            <button className="primary" type="submit" disabled={save.isPending}>
              Save thresholds
            </button>{" "}
            {saved ? <span role="status">Saved.</span> : null}
            {save.error ? (
              <span role="alert" className="error">
                {save.error.message}
              </span>
            ) : null}
          </p>
        ) : (
          <p className="muted">Only admins change thresholds.</p>
        )}
      </form>
    </section>
  );
}
