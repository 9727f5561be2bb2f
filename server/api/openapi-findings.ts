/**
 * The findings part of the OpenAPI document (/api/v1/openapi.json): paths and schemas of server/api/findings-rest.ts.
 * Answers are described from the very zod schemas the routes answer with (z.toJSONSchema), so the document cannot
 * drift from them; request bodies and query parameters are written out here.
 */
import { z } from "zod";
import { FINDING_KINDS, FINDING_STATUSES } from "@/server/domain/findings";
import { SEVERITIES } from "@/server/domain/severity";
import { bulkResult } from "@/server/findings/bulk";
import { findingDetailOutput, findingListOutput } from "@/server/findings/schemas";
import { FINDING_SORTS } from "@/server/findings/service";
import { actionResult } from "@/server/findings/workflow";

function schemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, schema: unknown) => ({ description, content: { "application/json": { schema } } });
const error = (description: string) => json(description, ref("Error"));
const findingId = { name: "id", in: "path", required: true, schema: { type: "string", maxLength: 64 } };

const filterProperties = {
  severity: { type: "string", enum: SEVERITIES },
  status: { type: "string", enum: [...FINDING_STATUSES, "active"], description: '"active": open, triaged or in progress' },
  kind: { type: "string", enum: FINDING_KINDS },
  tool: { type: "string" },
  ruleId: { type: "string" },
  api: { type: "string", description: "Api slug" },
  team: { type: "string", description: "Team slug" },
  owasp: { type: "string", description: "OWASP API Top 10 2023 category, API1…API10" },
  cwe: { type: "integer" },
  overdue: { type: "boolean", description: "Past the SLA due date and still active" },
  unmapped: { type: "boolean", description: "Not mapped to an Api (security and admins see them)" },
  q: { type: "string", description: "Words in the title" },
} as const;

const transitionProperties = {
  to: { type: "string", enum: FINDING_STATUSES },
  reason: { type: "string", maxLength: 4000, description: "Required for risk_accepted and false_positive" },
  expiresAt: { type: "string", format: "date-time", description: "risk_accepted: when the acceptance ends (at most the maximum acceptance days ahead)" },
  duplicateOf: { type: "string", description: "duplicate: the original finding's id" },
};

const unauthorized = (scope: string) => error(`Missing, invalid, expired or revoked token, or no ${scope} scope`);
const forbiddenRead = error("The token's owner may not read findings (executives read counts only)");
const forbiddenWrite = error("The token's owner may not change findings (role developer, security or admin)");
const notFound = error("No such finding, or not one of the token owner's teams'");

export const findingsSchemas = {
  FindingList: schemaOf(findingListOutput),
  FindingDetail: schemaOf(findingDetailOutput),
  ActionResult: { ...schemaOf(actionResult), description: "changed: findings moved; skipped: the findings not moved, each with why" },
  BulkResult: schemaOf(bulkResult),
};

export const findingsPaths = {
  "/findings": {
    get: {
      operationId: "listFindings",
      summary: "List findings",
      description: "The Findings page's filters, sort and paging, over the findings of the token owner's teams (security and admins: all). Token scope findings:read.",
      parameters: [
        ...Object.entries(filterProperties).map(([name, schema]) => ({ name, in: "query", required: false, schema })),
        { name: "sort", in: "query", required: false, schema: { type: "string", enum: FINDING_SORTS, default: "severity" } },
        { name: "dir", in: "query", required: false, schema: { type: "string", enum: ["asc", "desc"], default: "desc" } },
        { name: "page", in: "query", required: false, schema: { type: "integer", minimum: 1, default: 1 } },
        { name: "pageSize", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
      ],
      responses: {
        "200": json("A page of findings with the total and facet counts", ref("FindingList")),
        "400": error("An unknown or invalid parameter"),
        "401": unauthorized("findings:read"),
        "403": forbiddenRead,
      },
    },
  },
  "/findings/{id}": {
    get: {
      operationId: "getFinding",
      summary: "One finding with its evidence and history",
      description: "Token scope findings:read.",
      parameters: [findingId],
      responses: { "200": json("The finding", ref("FindingDetail")), "401": unauthorized("findings:read"), "403": forbiddenRead, "404": notFound },
    },
  },
  "/findings/{id}/transition": {
    post: {
      operationId: "transitionFinding",
      summary: "Move a finding to a state",
      description:
        "Developers move their teams' findings along (open, triaged, in progress, resolved); security and admins also decide " +
        "(risk accepted with a reason and an end date, false positive with a reason, duplicate of another finding, reopen). " +
        "A move the transition table does not allow answers 400 naming the allowed moves. Token scope findings:write.",
      parameters: [findingId],
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["to"], additionalProperties: false, properties: transitionProperties } } } },
      responses: {
        "200": json("The finding moved", ref("ActionResult")),
        "400": error("Not an allowed move, or a missing reason, end date or original"),
        "401": unauthorized("findings:write"),
        "403": forbiddenWrite,
        "404": notFound,
      },
    },
  },
  "/findings/{id}/assign": {
    post: {
      operationId: "assignFinding",
      summary: "Assign a finding to a person of its team, or unassign it",
      description: "The assignee must belong to the team owning the finding's Api (security or admins for findings without one). Token scope findings:write.",
      parameters: [findingId],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", required: ["assignee"], additionalProperties: false, properties: { assignee: { type: ["string", "null"], format: "email" } } } } },
      },
      responses: {
        "200": json("The finding assigned", ref("ActionResult")),
        "400": error("The person is not in the finding's team"),
        "401": unauthorized("findings:write"),
        "403": forbiddenWrite,
        "404": error("No such finding (or not the token owner's teams'), or no such person"),
      },
    },
  },
  "/findings/{id}/comments": {
    post: {
      operationId: "commentOnFinding",
      summary: "Comment on a finding",
      description: "Markdown, kept in the finding's history. Token scope findings:write.",
      parameters: [findingId],
      requestBody: {
        required: true,
        content: { "application/json": { schema: { type: "object", required: ["body"], additionalProperties: false, properties: { body: { type: "string", minLength: 1, maxLength: 20000 } } } } },
      },
      responses: {
        "201": json("The comment was added", { type: "object", properties: { ok: { const: true } } }),
        "400": error("An empty or too long comment"),
        "401": unauthorized("findings:write"),
        "403": forbiddenWrite,
        "404": notFound,
      },
    },
  },
  "/findings/bulk": {
    post: {
      operationId: "bulkFindings",
      summary: "Transition or assign many findings at once",
      description:
        "Selects findings by ids or by a filter of the list (at most 100,000), then moves or assigns every one the token owner " +
        "may, in one transaction; the answer counts them and says why the others were skipped. Token scope findings:write.",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              oneOf: [
                {
                  type: "object",
                  required: ["action", "to"],
                  properties: {
                    action: { const: "transition" },
                    ids: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 100000 },
                    filter: { type: "object", additionalProperties: false, properties: filterProperties },
                    ...transitionProperties,
                  },
                },
                {
                  type: "object",
                  required: ["action", "assignee"],
                  properties: {
                    action: { const: "assign" },
                    ids: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 100000 },
                    filter: { type: "object", additionalProperties: false, properties: filterProperties },
                    assignee: { type: ["string", "null"], format: "email" },
                  },
                },
              ],
              description: "Exactly one of ids or filter",
            },
          },
        },
      },
      responses: {
        "200": json("What was matched, changed and skipped", ref("BulkResult")),
        "400": error("Neither or both of ids and filter, an invalid move, or a filter matching too many findings"),
        "401": unauthorized("findings:write"),
        "403": forbiddenWrite,
        "404": error("A single id that is not the token owner's teams', or no such person"),
        "413": error("Request body larger than 8 MB"),
      },
    },
  },
};
