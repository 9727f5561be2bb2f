/**
 * What the secrets procedure answers (server/api/routers/secrets.ts `.output()`): the shape a client sees, never the
 * database's. tRPC validates each answer against it and drops any key it does not name.
 */
import { z } from "zod";

export const secretListOutput = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** The window of the access counts, and the age past which a secret is stale (rule thresholds). */
  windowDays: z.number(),
  staleDays: z.number(),
  rows: z.array(
    z.object({
      id: z.string(),
      ref: z.string(),
      displayName: z.string(),
      source: z.string(),
      firstSeenAt: z.string(),
      lastEventAt: z.string(),
      lastRotatedAt: z.string().nullable(),
      rotationUnknown: z.boolean(),
      stale: z.boolean(),
      readers: z.number().int(),
      reads: z.number().int(),
      denied: z.number().int(),
      addresses: z.array(z.string()),
      /** Only the Apis the caller may see. */
      apis: z.array(z.object({ slug: z.string(), name: z.string(), via: z.string() })),
    }),
  ),
});
