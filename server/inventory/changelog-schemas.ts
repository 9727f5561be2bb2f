/**
 * What the change-history procedures answer (server/api/routers/apis.ts `changelog`, `changesThisWeek`): an Api's
 * versions with their changes, and the week's changes across the Apis the actor may see.
 */
import { z } from "zod";
import { CHANGE_KINDS } from "@/server/domain/api-versions";
import { DATA_CLASSES } from "@/server/domain/inventory";

export const apiChangeOutput = z.object({
  kind: z.enum(CHANGE_KINDS),
  breaking: z.boolean(),
  method: z.string().optional(),
  path: z.string().optional(),
  subject: z.string().optional(),
  before: z.string().optional(),
  after: z.string().optional(),
  dataClasses: z.array(z.enum(DATA_CLASSES)).optional(),
});

export const apiVersionOutput = z.object({
  id: z.string(),
  format: z.string(),
  fileName: z.string(),
  createdAt: z.string(),
  /** The source's first version: what it said, with nothing earlier to compare. */
  first: z.boolean(),
  endpoints: z.number().int(),
  changeCount: z.number().int(),
  breaking: z.number().int(),
  /** Changes beyond those stored (a very large rewrite). */
  omitted: z.number().int(),
  changes: z.array(apiChangeOutput),
});

export const apiChangelogOutput = z.object({
  slug: z.string(),
  name: z.string(),
  versions: z.array(apiVersionOutput),
  /** Versions older than those listed. */
  older: z.number().int(),
});

const apiLink = z.object({ slug: z.string(), name: z.string() });

export const weeklyChangesOutput = z.object({
  since: z.string(),
  newApis: z.object({ total: z.number().int(), apis: z.array(apiLink.extend({ firstSeenAt: z.string() })) }),
  totals: z.object({
    newEndpoints: z.number().int(),
    authWeakened: z.number().int(),
    sensitiveAdded: z.number().int(),
    breaking: z.number().int(),
  }),
  /** Apis with changes this week, weakened auth and breaking changes first. */
  changedApis: z.array(
    apiLink.extend({
      newEndpoints: z.number().int(),
      authWeakened: z.number().int(),
      sensitiveAdded: z.number().int(),
      breaking: z.number().int(),
      versions: z.number().int(),
    }),
  ),
  /** shadow-api findings first seen this week; the Api each points at when there is one. */
  newShadow: z.object({ total: z.number().int(), apis: z.array(apiLink.extend({ firstSeenAt: z.string() })) }),
});
