/** Small shared renderers for findings: severity and status badges, SLA due date with an overdue marker. */
const SEVERITY_COLOURS: Record<string, string> = {
  critical: "var(--critical)",
  high: "var(--high)",
  medium: "var(--medium)",
  low: "var(--low)",
  info: "var(--info)",
};

export function SeverityBadge({ severity }: { severity: string }) {
  const colour = SEVERITY_COLOURS[severity] ?? "var(--muted)";
  return (
    <span className="badge" style={{ borderColor: colour, color: colour, fontWeight: 600 }}>
      {severity}
    </span>
  );
}

const STATUS_LABELS: Record<string, string> = {
  open: "open",
  triaged: "triaged",
  in_progress: "in progress",
  resolved: "resolved",
  risk_accepted: "risk accepted",
  false_positive: "false positive",
  duplicate: "duplicate",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

export function StatusBadge({ status, resolution, regression }: { status: string; resolution?: string | null; regression?: boolean }) {
  const tone = status === "resolved" ? " ok" : status === "open" ? " warn" : "";
  return (
    <>
      <span className={`badge${tone}`} title={resolution ? `resolution: ${resolution.replaceAll("_", " ")}` : undefined}>
        {statusLabel(status)}
        {resolution === "not_seen_in_rescan" ? " (not seen in rescan)" : ""}
      </span>
      {regression ? <span className="badge bad">regression</span> : null}
    </>
  );
}

export function SlaDue({ dueAt, overdue }: { dueAt: string | null; overdue: boolean }) {
  if (!dueAt) return <span className="muted">no SLA</span>;
  return (
    <span>
      {dueAt.slice(0, 10)} {overdue ? <span className="badge bad">overdue</span> : null}
    </span>
  );
}
