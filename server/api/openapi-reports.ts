/**
 * The reports part of the OpenAPI document (/api/v1/openapi.json): GET /reports of server/api/reports-rest.ts. The
 * JSON report is described from the zod schema it is checked against (z.toJSONSchema).
 */
import { z } from "zod";
import { FRAMEWORK_IDS } from "@/server/compliance/frameworks";
import { REPORT_FORMATS, report } from "@/server/reports/schema";

const { $schema: _drop, ...reportSchema } = z.toJSONSchema(report, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>;
const error = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const query = (name: string, description: string, schema: Record<string, unknown> = { type: "string" }, required = false) => ({ name, in: "query", required, schema, description });

export const reportsSchemas = { ComplianceReport: reportSchema };

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
} as const;
