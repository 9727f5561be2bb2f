"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";

type Rule = RouterOutputs["suppressions"]["list"]["rules"][number];

const STATE_LABEL: Record<Rule["state"], string> = { false_positive: "false positive", risk_accepted: "accepted risk" };

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "");
/** A date field's value as the end of that day, UTC (an acceptance "until 2026-12-31" holds through that day). */
const endOfDay = (value: string) => (value ? new Date(`${value}T23:59:59.999Z`) : null);

/**
 * Settings → Suppression rules (findings:decide): "rule X on Apis matching a glob and paths matching a glob is a false
 * positive / accepted until D, because …". Matching findings, existing and future, take that state; editing a rule
 * re-applies it, revoking it reopens what it still covers.
 */
export function SuppressionRules() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.suppressions.list.queryOptions());
  const [editing, setEditing] = useState<Rule | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.suppressions.list.queryKey() });
  const done = (verb: string) => async (r: { covered: number; reopened: number }) => {
    setNotice(`${verb}: ${r.covered.toLocaleString()} findings covered, ${r.reopened.toLocaleString()} reopened.`);
    setEditing(null);
    await refresh();
  };
  const create = useMutation(trpc.suppressions.create.mutationOptions({ onSuccess: done("Rule created") }));
  const update = useMutation(trpc.suppressions.update.mutationOptions({ onSuccess: done("Rule saved") }));
  const revoke = useMutation(trpc.suppressions.revoke.mutationOptions({ onSuccess: done("Rule revoked") }));
  const error = create.error ?? update.error ?? revoke.error;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const fields = {
      tool: text("tool") || null,
      ruleId: text("ruleId"),
      apiPattern: text("apiPattern") || null,
      pathPattern: text("pathPattern") || null,
      state: text("state") as Rule["state"],
      reason: text("reason"),
      expiresAt: endOfDay(text("expiresAt")),
    };
    setNotice(null);
    if (!editing) create.mutate(fields);
    else {
      // An end date left as it was is not sent again (it keeps its time, and need not lie ahead).
      const { expiresAt, ...rest } = fields;
      update.mutate({ id: editing.id, ...rest, ...(text("expiresAt") === day(editing.expiresAt) ? {} : { expiresAt }) });
    }
  }

  if (!list.data) return null;
  const { rules, maxAcceptanceDays } = list.data;
  return (
    <section aria-label="Suppression rules">
      <h2>Suppression rules</h2>
      <p className="muted">
        Decide once for findings to come: a rule id (a scanner&apos;s or Postern&apos;s; name the tool when it is a scanner&apos;s, as
        scanners number their rules independently), optionally only on Apis whose slug matches a
        pattern (<code>payments-*</code>) and endpoints whose path matches one (<code>/internal/**</code>; <code>*</code> stays within
        a segment). Open findings that match take the rule&apos;s state now, new and returning ones when they are seen. Accepted risks
        end within {maxAcceptanceDays} days.
      </p>
      <form className="panel" onSubmit={onSubmit} key={editing?.id ?? "new"} aria-label={editing ? "Edit suppression rule" : "New suppression rule"}>
        <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(220px, 1fr))", gap: 10 }}>
          <label>
            Tool
            <input name="tool" maxLength={100} defaultValue={editing?.tool ?? ""} placeholder="any tool (e.g. zap)" />
          </label>
          <label>
            Rule id
            <input name="ruleId" required maxLength={300} defaultValue={editing?.ruleId ?? ""} placeholder="10016 or missing-auth" />
          </label>
          <label>
            Apis (slug pattern)
            <input name="apiPattern" maxLength={500} defaultValue={editing?.apiPattern ?? ""} placeholder="every Api" />
          </label>
          <label>
            Endpoints (path pattern)
            <input name="pathPattern" maxLength={500} defaultValue={editing?.pathPattern ?? ""} placeholder="every endpoint" />
          </label>
          <label>
            State
            <select name="state" defaultValue={editing?.state ?? "false_positive"}>
              <option value="false_positive">false positive</option>
              <option value="risk_accepted">accepted risk</option>
            </select>
          </label>
          <label>
            Until (required for an accepted risk)
            <input name="expiresAt" type="date" defaultValue={day(editing?.expiresAt ?? null)} />
          </label>
        </div>
        <label style={{ display: "flex", flexDirection: "column", gap: 2, marginTop: 10 }}>
          Because
          <textarea name="reason" required maxLength={4000} rows={2} defaultValue={editing?.reason ?? ""} />
        </label>
        <p>
          <button className="primary" type="submit" disabled={create.isPending || update.isPending}>
            {editing ? "Save rule" : "Create rule"}
          </button>{" "}
          {editing ? (
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          ) : null}{" "}
          {notice ? <span role="status">{notice}</span> : null}
          {error ? (
            <span role="alert" className="error">
              {error.message}
            </span>
          ) : null}
        </p>
      </form>
      {rules.length === 0 ? (
        <p className="muted">No suppression rules yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Rule</th>
              <th>Apis</th>
              <th>Paths</th>
              <th>State</th>
              <th>Until</th>
              <th>Because</th>
              <th>Covers</th>
              <th>By</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id}>
                <td className="mono">{r.tool ? `${r.tool} ${r.ruleId}` : r.ruleId}</td>
                <td className="mono">{r.apiPattern ?? "all"}</td>
                <td className="mono">{r.pathPattern ?? "all"}</td>
                <td>{STATE_LABEL[r.state]}</td>
                <td>{day(r.expiresAt) || "—"}</td>
                <td>{r.reason}</td>
                <td>{r.covers.toLocaleString()}</td>
                <td>{r.createdBy?.email ?? "—"}</td>
                <td>
                  <span className={r.status === "active" ? "badge" : "badge warn"}>{r.status}</span>
                </td>
                <td>
                  {r.status === "revoked" ? null : (
                    <>
                      <button type="button" onClick={() => (setNotice(null), setEditing(r))}>
                        Edit
                      </button>{" "}
                      <button
                        type="button"
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke the rule for ${r.tool ? `${r.tool} ` : ""}${r.ruleId}? The ${r.covers} findings it covers reopen.`)) revoke.mutate({ id: r.id });
                        }}
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
