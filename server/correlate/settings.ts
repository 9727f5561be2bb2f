/**
 * Rule thresholds (DESIGN.md §3 defaults), overridable by admins: stored as JSON in the `setting` table under
 * "rules.thresholds" and merged over the defaults, key by key.
 */
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";

export const DEFAULT_RULE_SETTINGS = {
  zombieWindowDays: 30,
  unusedWindowDays: 30,
  enumerationDistinctValues: 100,
  enumerationWindowMinutes: 60,
  /** slow-enumeration: distinct values of one parameter by one client in a UTC day, or over the last N days. */
  slowEnumerationDayDistinct: 1_000,
  slowEnumerationWeekDistinct: 5_000,
  slowEnumerationWeekDays: 7,
  credentialStuffingFailures: 20,
  credentialStuffingWindowMinutes: 10,
  rateLimitRequestsPerMinute: 600,
  rateLimitSustainedMinutes: 3,
  exfiltrationMultiplier: 10,
  exfiltrationMinBytes: 10_000_000,
  exfiltrationBaselineDays: 7,
  exfiltrationMinBaselineDays: 3,
  /** new-client-harvesting: a client with fewer earlier days than this on the Api… */
  newClientMaxEarlierDays: 3,
  /** …whose bytes in a UTC day exceed this multiple of the median of the day's other clients… */
  newClientMultiplier: 20,
  /** …of whom there are at least this many, and this many bytes (MB = 10^6). */
  newClientMinOtherClients: 5,
  newClientMinBytes: 50_000_000,
  errorLeakageRatio: 0.05,
  errorLeakageMinRequests: 100,
  staleSecretDays: 90,
  overSharedIdentities: 5,
  overSharedWindowDays: 30,
  deniedBurstEvents: 10,
  deniedBurstWindowMinutes: 60,
  /** secret-access-anomaly: an identity's baseline is its previous N UTC days… */
  accessAnomalyBaselineDays: 14,
  /** …of which at least this many must have events (else: too little history, no finding). */
  accessAnomalyMinHistoryDays: 7,
  /** volume-spike: reads in one day > multiplier × the identity's daily median… */
  accessAnomalySpikeMultiplier: 10,
  /** …and at least this many reads. */
  accessAnomalySpikeMinReads: 50,
  /** How far back traffic and secret signals are looked for when evaluating (an "active" signal). */
  signalLookbackDays: 30,
} as const;

export type RuleSettings = { -readonly [K in keyof typeof DEFAULT_RULE_SETTINGS]: number };

export const ruleSettingsSchema = z
  .object(Object.fromEntries(Object.keys(DEFAULT_RULE_SETTINGS).map((k) => [k, z.number().positive().max(1e12)])))
  .partial()
  .strict();

export const RULE_SETTINGS_KEY = "rules.thresholds";

export async function loadRuleSettings(db: Db | Tx): Promise<RuleSettings> {
  const row = await db.setting.findUnique({ where: { key: RULE_SETTINGS_KEY } });
  const parsed = ruleSettingsSchema.safeParse(row?.value ?? {});
  return { ...DEFAULT_RULE_SETTINGS, ...(parsed.success ? parsed.data : {}) } as RuleSettings;
}
