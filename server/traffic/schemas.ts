/**
 * What the traffic procedures answer (server/api/routers/traffic.ts `.output()`): the shapes a client sees, never
 * the database's. tRPC validates each answer against them and drops any key they do not name.
 */
import { z } from "zod";

const count = z.number();

export const apiTrafficOutput = z.object({
  window: z.object({ from: z.string(), to: z.string() }).nullable(),
  bucket: z.enum(["hour", "day"]),
  series: z.array(
    z.object({ t: z.string(), s2xx: count, s3xx: count, s4xx: count, s5xx: count, avgLatencyMs: z.number().nullable(), maxLatencyMs: z.number() }),
  ),
  totals: z.object({ requests: count, clients: count, bytes: count, unauthenticated2xx: count, plainHttp: count, s429: count }),
  /** Null for executives (no per-client detail). */
  topClients: z.array(z.object({ client: z.string(), authenticated: z.boolean(), requests: count, errors: count, bytes: count })).nullable(),
  endpoints: z.array(
    z.object({
      method: z.string(),
      path: z.string(),
      documented: z.boolean(),
      observed: z.boolean(),
      deprecated: z.boolean(),
      requests: count,
      s4xx: count,
      s5xx: count,
      unauthenticated2xx: count,
      avgLatencyMs: z.number().nullable(),
    }),
  ),
});
export type ApiTraffic = z.infer<typeof apiTrafficOutput>;

export const trafficFlagsOutput = z.object({
  counts: z.object({ shadow: count, zombie: count, unused: count, shadowApis: count }),
  apis: z.array(z.object({ slug: z.string(), name: z.string(), findings: count, lifecycle: z.string().nullable(), owner: z.string().nullable() })),
});

/** An attack signal's evidence, as far as the page shows it (the window it was seen in, counts by name). */
export const signalWindow = z.object({ from: z.string().optional(), to: z.string().optional() });
export const signalCounts = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));

export const attackSignalsOutput = z.array(
  z.object({
    id: z.string(),
    ruleId: z.string(),
    /** The rule id for executives (titles name clients and paths). */
    title: z.string(),
    severity: z.string(),
    owaspCategory: z.string().nullable(),
    status: z.string(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    api: z.object({ slug: z.string(), name: z.string() }).nullable(),
    window: signalWindow.nullable(),
    /** Null for executives. */
    client: z.string().nullable(),
    /** Null for executives. */
    counts: signalCounts.nullable(),
  }),
);
