/**
 * The correlation-rule contract. A rule reads what Postern stored (inventory, traffic rollups, secret rollups) for
 * the Apis in scope and returns the findings that hold as of `asOf`. Rules never write: the engine
 * (server/correlate/engine.ts) dedupes by fingerprint, opens/updates what fires and resolves what stopped firing.
 * Rule ids are stable (DESIGN.md §3): exports, the API and the CLI use them.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Severity } from "@/server/domain/severity";
import type { Tx } from "@/server/db/types";
import type { RuleSettings } from "./settings";

export type RuleKind = "posture" | "traffic" | "secret";

export interface RuleContext {
  tx: Tx;
  /** Evaluation time: windows are measured back from it. */
  asOf: Date;
  /** Apis to evaluate; null = every Api. */
  apiIds: string[] | null;
  settings: RuleSettings;
}

export interface DerivedFinding {
  ruleId: string;
  kind: RuleKind;
  apiId: string | null;
  endpointId?: string | null;
  /** What distinguishes two findings of one rule on one Api/endpoint (a client, a secret, a host…); "" if none. */
  subject: string;
  title: string;
  description?: string;
  severity: Severity;
  /** "API1".."API10" (OWASP API Security Top 10 2023). */
  owaspCategory: string;
  cwe?: number;
  /** Counts, time window, client, sample events… Already free of credentials. */
  evidence: Prisma.InputJsonValue;
  /** When the signal was first/last observed in the data (defaults to asOf). */
  observedFrom?: Date;
  observedTo?: Date;
}

export interface Rule {
  id: string;
  kind: RuleKind;
  /** One line for people and the docs. */
  description: string;
  evaluate(ctx: RuleContext): Promise<DerivedFinding[]>;
}
