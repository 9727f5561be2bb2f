/**
 * The permission ladder (DESIGN.md §7): what each role may do, as data. Every tRPC procedure and REST route declares
 * the one permission it needs (server/api/trpc.ts `authorized`, server/api/rest.ts `restRoute`); objects are then
 * checked by the scoped `where` builders of ./scope.ts. A generated matrix test (server/api/authorization.test.ts)
 * walks every procedure and route against every role.
 */
import type { Actor, Role } from "./roles";

export const PERMISSIONS = [
  /** Use the app at all: one's own profile, the list of formats. */
  "app:use",
  /** Apis, endpoints and their risk breakdown, scoped to what the actor may see. */
  "inventory:read",
  /** Set or clear an Api's owning team. */
  "inventory:own",
  /** Counts of findings (every role: executives read aggregates). */
  "findings:count",
  /** Finding rows and their evidence. */
  "findings:read",
  /** Map an unmapped finding to an Api. */
  "findings:map",
  /** Move findings along (open, triaged, in progress, resolved), assign them within their team, comment, propose. */
  "findings:write",
  /** Decisions that stop the work: accept a risk, confirm a false positive, mark a duplicate, reopen; triage queue. */
  "findings:decide",
  /** Secrets and their access rollups (identities, addresses). */
  "secrets:read",
  /** Traffic views and attack signals (executives get aggregates without clients). */
  "traffic:read",
  /** Ingest files and watch ingest runs. */
  "ingest:write",
  "ingest:read",
  /** Rule thresholds and risk weights: read, preview, change. */
  "settings:read",
  "settings:write",
  "risk:read",
  "risk:preview",
  /** The executive home: organisation-wide aggregates (trend, remediation speed, SLA per team), never evidence. */
  "executive:read",
  /** One's own API tokens; every user's tokens. */
  "tokens:own",
  "tokens:all",
  /** People: create, change roles, deactivate, reset passwords, unlock (Settings → People). */
  "people:admin",
  /** Teams: create, rename, members (Settings → Teams). */
  "teams:admin",
  /** Outgoing webhooks, per team and global (Settings → Webhooks). */
  "webhooks:admin",
  /** Compliance reports (aggregates per control; developers: their teams' Apis). Their CSV of finding rows also needs findings:read. */
  "reports:read",
  /** Scheduled compliance reports: create, pause, resume, delete schedules, and run one now (report history). */
  "reports:schedule",
  /** The audit log: filter and export (Settings → Audit). */
  "audit:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const EVERYONE: readonly Permission[] = ["app:use", "inventory:read", "findings:count", "traffic:read", "risk:read", "reports:read", "tokens:own"];
const SECURITY: readonly Permission[] = [
  ...EVERYONE,
  "inventory:own",
  "findings:read",
  "findings:map",
  "findings:write",
  "findings:decide",
  "secrets:read",
  "ingest:write",
  "ingest:read",
  "settings:read",
  "risk:preview",
  "webhooks:admin",
  "executive:read",
  "reports:schedule",
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set<Permission>([...SECURITY, "settings:write", "tokens:all", "people:admin", "teams:admin", "audit:read"]),
  security: new Set(SECURITY),
  developer: new Set<Permission>([...EVERYONE, "findings:read", "findings:write", "secrets:read"]),
  executive: new Set<Permission>([...EVERYONE, "executive:read"]),
};

/** All a person whose password someone else set may do until they change it: their own account. */
const PASSWORD_PENDING: ReadonlySet<Permission> = new Set<Permission>(["app:use"]);

export function can(actor: Pick<Actor, "role" | "mustChangePassword">, permission: Permission): boolean {
  if (actor.mustChangePassword && !PASSWORD_PENDING.has(permission)) return false;
  return ROLE_PERMISSIONS[actor.role].has(permission);
}

/** The FORBIDDEN message: names the missing permission, never the object. */
export function missingPermission(permission: Permission): string {
  return `Requires permission ${permission}`;
}
