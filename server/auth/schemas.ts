/**
 * What the me and tokens procedures answer (server/api/routers/me.ts, tokens.ts `.output()`): the shapes a client
 * sees, never the database's. tRPC validates each answer against them and drops any key they do not name.
 */
import { z } from "zod";
import { ROLES } from "./roles";

export const meOutput = z.object({
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  teams: z.array(z.object({ slug: z.string(), name: z.string() })),
});

/** What the sign-in page offers besides e-mail and password (me.signInOptions, public). */
export const signInOptionsOutput = z.object({ provider: z.object({ name: z.string() }).nullable() });

/** A token as its list shows it: never the secret, only its first characters (prefix). */
export const tokenRowOutput = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  /** The owner's e-mail (admins list everyone's tokens). */
  owner: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});

/** A new token: the only answer that carries the secret, once. */
export const tokenCreatedOutput = z.object({ id: z.string(), token: z.string(), expiresAt: z.string() });

export const tokenRevokedOutput = z.object({ ok: z.boolean() });

/** A running lockout (server/auth/lockout.ts listLockouts): one person from one client, until when. */
export const lockoutsOutput = z.array(
  z.object({
    userId: z.string(),
    email: z.string(),
    /** An IPv4 address, an IPv6 /64, "session:<id>" (a password change), or "unknown" (no trusted address). */
    client: z.string(),
    failures: z.number().int(),
    until: z.string(),
    lastFailureAt: z.string(),
  }),
);
