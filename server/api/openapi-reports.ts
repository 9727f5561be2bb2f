/**
 * The reports part of the OpenAPI document (/api/v1/openapi.json): GET /reports, GET /reports/runs and
 * GET /reports/runs/{id} of server/api/reports-rest.ts. The JSON report and the run list are described from the zod
 * schemas they are checked against (z.toJSONSchema).
 */
import { z } from "zod";
import { FRAMEWORK_IDS } from "@/server/compliance/frameworks";
import { runsPage } from "@/server/reports/runs";
import { REPORT_FORMATS, report } from "@/server/reports/schema";

const { $schema: _drop, ...reportSchema } = z.toJSONSchema(report, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>;
const error = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const query = (name: string, description: string, schema: Record<string, unknown> = { type: "string" }, required = false) => ({ name, in: "query", required, schema, description });

const { $schema: _dropRuns, ...runsSchema } = z.toJSONSchema(runsPage, { target: "draft-2020-12", io: "output", unrepresentable: "any", override: dateAsString }) as Record<string, unknown>;

/** Dates travel as ISO 8601 strings in JSON. */
function dateAsString(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
  if (def?.type === "date") {
    ctx.jsonSchema.type = "string";
    ctx.jsonSchema.format = "date-time";
  }
}

export const reportsSchemas = { ComplianceReport: reportSchema, ReportRunPage: runsSchema };

export const reportsPaths = {
  "/reports": {
    get: {
      operationId: "getReport",
      summary: "A compliance report",
      description:
        "Per control of the framework: status (passing, failing, not assessed when no evidence source covering it was ingested), " +
        "open findings by severity, Apis, weekly trend; SLA compliance and mean time to remediate of the period. A past period " +
        "shows what was true then. Token scope `reports:read`; developers get their teams' Apis only. The CSV lists the " +
        "findings under the controls (control × finding, no evidence) and also needs the owner's findings:read permission.",
      parameters: [
        query("framework", "The framework", { type: "string", enum: FRAMEWORK_IDS }, true),
        query("team", "Only this team's Apis (team slug); exclusive with api"),
        query("api", "Only this Api (Api slug)"),
        query("from", "Start of the period (ISO 8601; default 90 days before to)", { type: "string", format: "date-time" }),
        query("to", "End of the period (ISO 8601; default now)", { type: "string", format: "date-time" }),
        query("format", "Answer format", { type: "string", enum: REPORT_FORMATS, default: "json" }),
      ],
      responses: {
        "200": {
          description: "The report, as an attachment (Content-Disposition)",
          content: {
            "application/json": { schema: { $ref: "#/components/schemas/ComplianceReport" } },
            "application/pdf": { schema: { type: "string", format: "binary" } },
            "text/csv": { schema: { type: "string", description: "Header: control,finding_id,rule,severity,status,api,due,overdue" } },
          },
        },
        "400": error("Unknown parameter, framework or format; bad dates; team and api together"),
        "401": error("Missing, invalid, expired or revoked token, or no reports:read scope"),
        "403": error("The token's owner may not read finding rows (format=csv)"),
        "404": error("No such team or Api, or not one of the token owner's teams"),
      },
    },
  },
  "/reports/runs": {
    get: {
      operationId: "listReportRuns",
      summary: "The report history",
      description:
        "Stored compliance reports (scheduled weekly or monthly, or run by hand), newest first, with their summary counts. " +
        "Token scope `reports:read`; developers see only runs scoped to one of their teams or to an Api their teams own.",
      parameters: [
        query("schedule", "Only this schedule's runs (schedule id)"),
        query("page", "Page, from 1", { type: "integer", minimum: 1, default: 1 }),
        query("pageSize", "Runs per page", { type: "integer", minimum: 1, maximum: 100, default: 25 }),
      ],
      responses: {
        "200": { description: "A page of runs", content: { "application/json": { schema: { $ref: "#/components/schemas/ReportRunPage" } } } },
        "400": error("Unknown parameter or bad page"),
        "401": error("Missing, invalid, expired or revoked token, or no reports:read scope"),
      },
    },
  },
  "/reports/runs/{id}": {
    get: {
      operationId: "getReportRun",
      summary: "A stored compliance report",
      description:
        "The report as it was made for its period (not recomputed): the JSON document or a PDF rendered from it. No CSV: the " +
        "finding rows are not stored with a run, and today's rows would not match the stored report.",
      parameters: [
        { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The run id" },
        query("format", "Answer format", { type: "string", enum: ["json", "pdf"], default: "json" }),
      ],
      responses: {
        "200": {
          description: "The stored report, as an attachment (Content-Disposition)",
          content: {
            "application/json": { schema: { $ref: "#/components/schemas/ComplianceReport" } },
            "application/pdf": { schema: { type: "string", format: "binary" } },
          },
        },
        "400": error("Unknown parameter or format"),
        "401": error("Missing, invalid, expired or revoked token, or no reports:read scope"),
        "404": error("No such run, or a run not scoped to the token owner's teams"),
        "409": error("The run failed and has no report (its reason is given)"),
      },
    },
  },
} as const;
