/**
 * What the findings procedures answer (server/api/routers/findings.ts `.output()`): the shapes a client sees, never
 * the database's. tRPC validates each answer against them and drops any key they do not name.
 */
import { z } from "zod";
import { FINDING_STATUSES } from "@/server/domain/findings";

const iso = z.string();
const ref = z.object({ slug: z.string(), name: z.string() });
const person = z.object({ name: z.string(), email: z.string() });

/** Counts per value of each facet, counted under every filter but the facet's own ("none" for a missing value). */
export const findingFacets = z.object({
  severity: z.record(z.string(), z.number().int()),
  status: z.record(z.string(), z.number().int()),
  tool: z.record(z.string(), z.number().int()),
  owasp: z.record(z.string(), z.number().int()),
});
export type FindingFacets = z.infer<typeof findingFacets>;

export const findingSummaryOutput = z.object({ total: z.number().int(), facets: findingFacets });

export const findingRowOutput = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  resolution: z.string().nullable(),
  tool: z.string().nullable(),
  ruleId: z.string(),
  cwe: z.number().int().nullable(),
  owaspCategory: z.string().nullable(),
  occurrences: z.number().int(),
  regression: z.boolean(),
  api: ref.nullable(),
  endpoint: z.object({ method: z.string(), path: z.string() }).nullable(),
  team: ref.nullable(),
  /** A short "where": the endpoint, else the path or URL, else file:line. */
  where: z.string().nullable(),
  overdue: z.boolean(),
  slaDueAt: iso.nullable(),
  firstSeenAt: iso,
  lastSeenAt: iso,
});

export const findingListOutput = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  facets: findingFacets,
  rows: z.array(findingRowOutput),
});

/** Where a finding was seen, as the scanner located it. */
export const findingLocation = z.object({
  url: z.string().optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  parameter: z.string().optional(),
  file: z.string().optional(),
  line: z.number().optional(),
  target: z.string().optional(),
  toolVersion: z.string().optional(),
  format: z.string().optional(),
});
export type FindingLocation = z.infer<typeof findingLocation>;

/** What the scanner showed for it (credentials redacted at ingest). */
export const findingEvidence = z.object({
  request: z.string().optional(),
  response: z.string().optional(),
  snippet: z.string().optional(),
  detail: z.string().optional(),
  references: z.array(z.string()).optional(),
  cve: z.string().optional(),
});
export type FindingEvidence = z.infer<typeof findingEvidence>;

export const findingDetailOutput = z.object({
  id: z.string(),
  kind: z.string(),
  ruleId: z.string(),
  tool: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  severity: z.string(),
  confidence: z.string().nullable(),
  cwe: z.number().int().nullable(),
  owaspCategory: z.string().nullable(),
  status: z.string(),
  resolution: z.string().nullable(),
  regression: z.boolean(),
  occurrences: z.number().int(),
  remediation: z.string().nullable(),
  api: z.object({ slug: z.string(), name: z.string(), baseUrl: z.string().nullable() }).nullable(),
  endpoint: z.object({ method: z.string(), path: z.string() }).nullable(),
  team: ref.nullable(),
  assignee: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  location: findingLocation,
  evidence: findingEvidence.nullable(),
  /** A rule-derived finding's evidence (posture, traffic, secret) as labelled facts; empty for scanner findings. */
  ruleEvidence: z.array(z.object({ label: z.string(), values: z.array(z.string()) })),
  overdue: z.boolean(),
  slaDueAt: iso.nullable(),
  firstSeenAt: iso,
  lastSeenAt: iso,
  resolvedAt: iso.nullable(),
  /** status risk_accepted: why, who approved it, until when. */
  acceptance: z.object({ reason: z.string().nullable(), approvedBy: person.nullable(), until: iso.nullable() }).nullable(),
  /** status duplicate: the original (title null when the reader may not see it). */
  duplicateOf: z.object({ id: z.string(), title: z.string().nullable() }).nullable(),
  /** A developer's pending proposal (false positive) for security to decide. */
  proposal: z.object({ status: z.string(), reason: z.string().nullable(), by: person.nullable() }).nullable(),
  /** What the reader may do with it now: the states they may move it to, assign, comment, propose a false positive. */
  actions: z.object({
    moves: z.array(z.enum(FINDING_STATUSES)),
    assign: z.boolean(),
    comment: z.boolean(),
    propose: z.boolean(),
    rejectProposal: z.boolean(),
  }),
  history: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      actorType: z.string(),
      /** The person behind a user or token event. */
      actor: person.nullable(),
      fromValue: z.string().nullable(),
      toValue: z.string().nullable(),
      comment: z.string().nullable(),
      createdAt: iso,
    }),
  ),
});

export const assignApiOutput = z.object({ id: z.string(), api: z.string(), changed: z.boolean() });
