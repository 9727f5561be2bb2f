"use client";
/**
 * The security team's triage queue: new findings (open, nobody assigned), unowned ones and developers' proposals,
 * grouped by rule and Api. One decision covers a whole group: assign it to a person of the owning team (the security
 * team for unowned findings), triage it, accept the risk (reason and expiry required) or mark it a false positive.
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { RouterInputs, RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { FilterSelect } from "@/components/ui/filter-select";
import { Pager } from "@/components/ui/pager";
import type { FindingStatus } from "@/server/domain/findings";
import { SeverityBadge } from "./labels";
import { DecisionFields, type DecisionValues, describeResult, useRefreshFindings } from "./moves";

type Group = RouterOutputs["findings"]["triageQueue"]["rows"][number];
type Only = RouterInputs["findings"]["triageQueue"]["only"];

const ONLY: readonly { value: NonNullable<Only>; label: string }[] = [
  { value: "new", label: "new (open, unassigned)" },
  { value: "unowned", label: "unowned (no owning team)" },
  { value: "proposed", label: "proposed false positives" },
];

export function TriageQueue() {
  const trpc = useTRPC();
  const [only, setOnly] = useState<Only>(undefined);
  const [page, setPage] = useState(1);
  const queue = useQuery({ ...trpc.findings.triageQueue.queryOptions({ only, page, pageSize: 25 }), placeholderData: keepPreviousData });
  const data = queue.data;
  const pages = data ? Math.max(1, Math.ceil(data.groups / data.pageSize)) : 1;
  return (
    <>
      <p className="muted" data-testid="triage-summary">
        {data ? `${data.findings.toLocaleString("en")} findings in ${data.groups.toLocaleString("en")} groups` : "…"} waiting for a decision. Each group is one
        rule on one API; an action applies to every finding of the group still in the queue.
      </p>
      <div className="toolbar">
        <FilterSelect
          label="Show"
          anyLabel="everything in the queue"
          value={only}
          options={ONLY}
          onChange={(v) => {
            setOnly(v as Only);
            setPage(1);
          }}
        />
      </div>
      {queue.error ? (
        <p role="alert" className="error">
          {queue.error.message}
        </p>
      ) : null}
      <div className="triage-groups" aria-busy={queue.isFetching}>
        {data?.rows.map((g) => <TriageGroup key={`${g.key.ruleId}|${g.key.tool ?? ""}|${g.key.api ?? ""}`} group={g} />)}
        {data && data.rows.length === 0 ? <p className="muted">The queue is empty.</p> : null}
      </div>
      <Pager page={page} pages={pages} total={data?.groups} noun="groups" onPage={setPage} />
    </>
  );
}

type Action = "assign" | FindingStatus;

function TriageGroup({ group }: { group: Group }) {
  const trpc = useTRPC();
  const refresh = useRefreshFindings();
  const [open, setOpen] = useState<Action | null>(null);
  const [assignee, setAssignee] = useState("");
  const [result, setResult] = useState<{ text: string; error?: boolean } | null>(null);
  const people = useQuery({ ...trpc.findings.assignees.queryOptions({ id: group.sampleId }), enabled: open === "assign" });
  const handlers = {
    onSuccess: (r: RouterOutputs["findings"]["transition"]) => {
      setResult({ text: describeResult(r) });
      setOpen(null);
      void refresh();
    },
    onError: (e: { message: string }) => setResult({ text: e.message, error: true }),
  };
  const transition = useMutation(trpc.findings.transition.mutationOptions(handlers));
  const assign = useMutation(trpc.findings.assign.mutationOptions(handlers));
  const busy = transition.isPending || assign.isPending;
  const name = `${group.title} on ${group.api?.name ?? "no API"}`;
  const decide = (to: FindingStatus, values: DecisionValues = {}) => transition.mutate({ group: group.key, to, ...values });

  return (
    <section className="panel triage-group" aria-label={name}>
      <div style={{ display: "flex", gap: 12, alignItems: "baseline", flexWrap: "wrap" }}>
        <SeverityBadge severity={group.severity} />
        <strong>{group.title}</strong>
        <span className="mono muted">
          {group.key.tool ? `${group.key.tool} ` : ""}
          {group.key.ruleId}
        </span>
      </div>
      <div style={{ margin: "6px 0" }}>
        {group.api ? <Link href={`/apis/${group.api.slug}`}>{group.api.name}</Link> : <span className="badge warn">unmapped</span>}
        {" · "}
        {group.team ? group.team.name : <span className="badge bad">no owning team</span>}
        {" · "}
        <Link href={`/findings?ruleId=${encodeURIComponent(group.key.ruleId)}${group.api ? `&api=${encodeURIComponent(group.api.slug)}` : "&unmapped=1"}`}>
          {group.count.toLocaleString("en")} finding{group.count === 1 ? "" : "s"}
        </Link>
        {group.new ? <span className="badge">{group.new} new</span> : null}
        {group.unowned ? <span className="badge warn">{group.unowned} unowned</span> : null}
        {group.proposed ? <span className="badge">{group.proposed} proposed false positive</span> : null}
        {group.overdue ? <span className="badge bad">{group.overdue} overdue</span> : null}
      </div>
      {group.proposalReason ? (
        <p className="muted" style={{ margin: "4px 0" }}>
          Proposal: “{group.proposalReason}”
        </p>
      ) : null}
      <div className="row-actions" role="group" aria-label={`Decide: ${name}`}>
        <button type="button" aria-expanded={open === "assign"} onClick={() => setOpen(open === "assign" ? null : "assign")}>
          Assign…
        </button>
        <button type="button" disabled={busy} onClick={() => decide("triaged")}>
          Triage
        </button>
        <button type="button" aria-expanded={open === "risk_accepted"} onClick={() => setOpen(open === "risk_accepted" ? null : "risk_accepted")}>
          Accept risk…
        </button>
        <button type="button" aria-expanded={open === "false_positive"} onClick={() => setOpen(open === "false_positive" ? null : "false_positive")}>
          False positive…
        </button>
        <Link href={`/findings/${group.sampleId}`}>Open one</Link>
      </div>
      {open === "assign" ? (
        <form
          className="toolbar"
          aria-label={`Assign: ${name}`}
          onSubmit={(e) => {
            e.preventDefault();
            if (assignee) assign.mutate({ group: group.key, assignee });
          }}
        >
          <label>
            {people.data?.team ? `Person of ${people.data.team.name}` : "Person of the security team"}
            <select value={assignee} onChange={(e) => setAssignee(e.target.value)} required>
              <option value="">{people.isLoading ? "loading…" : "choose"}</option>
              {people.data?.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name ? `${p.name} (${p.email})` : p.email}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={busy || !assignee}>
            Assign {group.count.toLocaleString("en")}
          </button>
          {people.data && people.data.people.length === 0 ? <span className="muted">Nobody is in that team yet.</span> : null}
        </form>
      ) : null}
      {open === "risk_accepted" || open === "false_positive" ? (
        <DecisionFields
          key={open}
          to={open}
          busy={busy}
          submitLabel={`${open === "risk_accepted" ? "Accept" : "Mark"} ${group.count.toLocaleString("en")}`}
          onSubmit={(values) => decide(open, values)}
          onCancel={() => setOpen(null)}
        />
      ) : null}
      {result ? (
        <p role="status" className={result.error ? "error" : "muted"} style={{ margin: "6px 0 0" }}>
          {result.text}
        </p>
      ) : null}
    </section>
  );
}
