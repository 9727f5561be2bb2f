/** Postern's roles (DESIGN.md §7). */
export const ROLES = ["admin", "security", "developer", "executive"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** The signed-in person (or token owner) as every service sees them. */
export interface Actor {
  type: "user" | "token";
  /** User id (for a token: its owner's id). */
  userId: string;
  tokenId?: string;
  email: string;
  role: Role;
  teamIds: string[];
  /** Token scopes; people have every scope their role allows. */
  scopes?: string[];
  /** The session a person's request came with (their own password change keeps it and ends the others). */
  sessionId?: string;
  /** Their password was set by someone else: only "app:use" works until they change it (server/auth/permissions.ts). */
  mustChangePassword?: boolean;
}

/** Who sees every Api and finding: admins and the security team. Developers see their teams'; executives aggregates. */
export function seesAllApis(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "security";
}

/** Executives read aggregates and reports, never raw evidence or per-Api detail. */
export function seesDetail(actor: Actor): boolean {
  return actor.role !== "executive";
}
