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
}

/** Who sees every Api and finding: admins and the security team. Developers see their teams'; executives aggregates. */
export function seesAllApis(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "security";
}

/** Executives read aggregates and reports, never raw evidence or per-Api detail. */
export function seesDetail(actor: Actor): boolean {
  return actor.role !== "executive";
}
