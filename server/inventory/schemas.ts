/**
 * What the inventory procedures answer (server/api/routers/apis.ts `.output()`): the shapes a client sees, never the
 * database's. tRPC validates each answer against them and drops any key they do not name; the client's types are
 * inferred from them through the router.
 */
import { z } from "zod";

const iso = z.string();
export const teamRef = z.object({ slug: z.string(), name: z.string() });

export const apiRowOutput = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  baseUrl: z.string().nullable(),
  lifecycle: z.string().nullable(),
  exposure: z.string().nullable(),
  documentedEndpoints: z.number().int(),
  observedEndpoints: z.number().int(),
  dataClasses: z.array(z.string()),
  authKinds: z.array(z.string()),
  sourceFormats: z.array(z.string()),
  /** Known only from traffic (a shadow API): no inventory mentions it yet. */
  observedOnly: z.boolean(),
  riskScore: z.number().nullable(),
  riskBand: z.string().nullable(),
  lastSeenAt: iso,
  ownerTeam: teamRef.nullable(),
});

export const apiListOutput = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  rows: z.array(apiRowOutput),
});

export const endpointOutput = z.object({
  id: z.string(),
  method: z.string(),
  path: z.string(),
  summary: z.string().nullable(),
  operationId: z.string().nullable(),
  deprecated: z.boolean(),
  /** public | undeclared | required */
  securityMode: z.string(),
  authKinds: z.array(z.string()),
  dataClasses: z.array(z.string()),
  documented: z.boolean(),
  observed: z.boolean(),
  hasDescription: z.boolean(),
  hasSuccessSchema: z.boolean(),
  rateLimited: z.boolean(),
  tags: z.array(z.string()),
});

/** The stored Spectral summary, narrowed to what the Api page shows (counts and the most frequent rules). */
export const specLintView = z.object({
  failingRules: z.number().int(),
  failingOwaspRules: z.number().int(),
  total: z.number().int(),
  rules: z.array(z.object({ rule: z.string(), severity: z.string(), count: z.number().int() })),
});

/** Who to ask about an Api, as its sources state it. */
export const apiContact = z.object({ name: z.string().optional(), email: z.string().optional(), url: z.string().optional() });

export const apiDetailOutput = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  catalogName: z.string().nullable(),
  baseUrl: z.string().nullable(),
  host: z.string().nullable(),
  basePath: z.string(),
  aliases: z.array(z.string()),
  ownerTeam: teamRef.nullable(),
  contact: apiContact.nullable(),
  lifecycle: z.string().nullable(),
  exposure: z.string().nullable(),
  version: z.string().nullable(),
  description: z.string().nullable(),
  repository: z.string().nullable(),
  dataClasses: z.array(z.string()),
  authKinds: z.array(z.string()),
  sourceFormats: z.array(z.string()),
  /** Known only from traffic (a shadow API): no inventory mentions it yet. */
  observedOnly: z.boolean(),
  documentedEndpoints: z.number().int(),
  observedEndpoints: z.number().int(),
  riskScore: z.number().nullable(),
  riskBand: z.string().nullable(),
  firstSeenAt: iso,
  lastSeenAt: iso,
  sources: z.array(z.object({ format: z.string(), fileName: z.string(), seenAt: iso })),
  specLint: specLintView.nullable(),
  endpoints: z.array(endpointOutput),
});

export const teamListOutput = z.array(z.object({ id: z.string(), slug: z.string(), name: z.string() }));
