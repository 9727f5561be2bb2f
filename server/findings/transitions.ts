/**
 * Which state a finding may move to, and who may move it (DESIGN.md §5), as data. `team`: the people who work on the
 * finding (a developer of the Api's owning team; security and admins too). `security`: security and admins only
 * (decisions that stop the work: accepting a risk, confirming a false positive, marking a duplicate, reopening).
 * Developers who think a finding is a false positive propose it (server/findings/workflow.ts); security decides.
 */
import type { Role } from "@/server/auth/roles";
import type { FindingStatus } from "@/server/domain/findings";

export type Who = "team" | "security";

const STOP_THE_WORK = { risk_accepted: "security", false_positive: "security", duplicate: "security" } as const;

export const TRANSITIONS: Readonly<Record<FindingStatus, Readonly<Partial<Record<FindingStatus, Who>>>>> = {
  open: { triaged: "team", in_progress: "team", resolved: "team", ...STOP_THE_WORK },
  triaged: { open: "team", in_progress: "team", resolved: "team", ...STOP_THE_WORK },
  in_progress: { open: "team", triaged: "team", resolved: "team", ...STOP_THE_WORK },
  resolved: { open: "security" },
  risk_accepted: { open: "security" },
  false_positive: { open: "security" },
  duplicate: { open: "security" },
};

/** What `role` may do: developers the team moves, security and admins everything; executives nothing. */
function mayAct(role: Role, who: Who): boolean {
  if (role === "admin" || role === "security") return true;
  return role === "developer" && who === "team";
}

/** The states `role` may move a finding in state `from` to. */
export function allowedTargets(from: string, role: Role): FindingStatus[] {
  const row = TRANSITIONS[from as FindingStatus] ?? {};
  return (Object.entries(row) as [FindingStatus, Who][]).filter(([, who]) => mayAct(role, who)).map(([to]) => to);
}

/** Null when allowed, else why not, naming the moves that are allowed. */
export function transitionRefusal(from: string, to: string, role: Role): string | null {
  if (from === to) return `the finding is already ${to}`;
  const allowed = allowedTargets(from, role);
  if (allowed.includes(to as FindingStatus)) return null;
  const legal = TRANSITIONS[from as FindingStatus]?.[to as FindingStatus];
  if (legal) return `moving a finding to ${to} needs the security team (role security or admin)`;
  return `cannot move a finding from ${from} to ${to}; allowed: ${allowed.length ? allowed.join(", ") : "none"}`;
}
