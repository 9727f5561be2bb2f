/** OpenAPI 3.1 description of Postern's REST API (/api/v1), served at /api/v1/openapi.json. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Postern REST API",
    version: "1.0.0",
    description:
      "Machine entry points for CI jobs, log shippers and remediation scripts. The web UI uses its own session-authenticated API.",
  },
  servers: [{ url: "/api/v1" }],
  security: [{ bearerToken: [] }],
  components: {
    securitySchemes: {
      bearerToken: {
        type: "http",
        scheme: "bearer",
        description:
          "An API token created in Settings or with `postern token create`. Scopes: `ingest` (POST /ingest), `findings:read` " +
          "(GET /findings…), `findings:write` (transition, assign, comment, bulk), `reports:read` (GET /reports, GET /reports/runs…). A token acts " +
          "for its owner: their role and " +
          "teams apply.",
      },
    },
    schemas: {
      IngestRun: {
        type: "object",
        required: ["runId", "status", "fileName", "counts", "warnings", "lineErrors", "errorCount", "durationMs"],
        properties: {
          runId: { type: "string" },
          status: { type: "string", enum: ["succeeded", "failed", "duplicate", "cancelled"] },
          fileName: { type: "string" },
          family: { type: ["string", "null"], enum: ["inventory", "scan", "traffic", "vault", null] },
          format: { type: ["string", "null"], description: "Detected or requested format id, e.g. openapi, sarif, kong-log" },
          counts: { type: "object", additionalProperties: { type: "number" } },
          warnings: { type: "array", items: { type: "object", properties: { message: { type: "string" }, line: { type: "integer" } } } },
          lineErrors: {
            type: "array",
            description: "The first 100 lines that could not be read",
            items: { type: "object", properties: { line: { type: "integer" }, message: { type: "string" } } },
          },
          errorCount: { type: "integer" },
          message: { type: ["string", "null"], description: "Why the file was rejected or skipped" },
          durationMs: { type: "integer" },
        },
      },
      Error: { type: "object", properties: { error: { type: "string" } }, required: ["error"] },
    },
  },
  paths: {
    "/ingest": {
      post: {
        operationId: "ingest",
        summary: "Ingest one or more files",
        description:
          "Send a file as the raw request body, or several as multipart/form-data. The format is detected from the content " +
          "unless `format` is given. The body is streamed; a rejected file writes nothing; identical content is a no-op.",
        parameters: [
          { name: "format", in: "query", required: false, schema: { type: "string" }, description: "Force a format id" },
          { name: "api", in: "query", required: false, schema: { type: "string" }, description: "Attribute the whole file to this Api" },
          { name: "filename", in: "query", required: false, schema: { type: "string" }, description: "Name for a raw body" },
        ],
        requestBody: {
          required: true,
          content: {
            "application/octet-stream": { schema: { type: "string", format: "binary" } },
            "multipart/form-data": {
              schema: { type: "object", properties: { file: { type: "array", items: { type: "string", format: "binary" } } } },
            },
          },
        },
        responses: {
          "200": {
            description: "Every file succeeded or was a duplicate",
            content: { "application/json": { schema: { type: "object", properties: { runs: { type: "array", items: { $ref: "#/components/schemas/IngestRun" } } } } } },
          },
          "400": { description: "Bad request", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          "401": { description: "Missing, invalid, expired or revoked token, or no ingest scope", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          "413": { description: "Upload too large", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          "422": {
            description: "At least one file was rejected (see each run's message)",
            content: { "application/json": { schema: { type: "object", properties: { runs: { type: "array", items: { $ref: "#/components/schemas/IngestRun" } } } } } },
          },
        },
      },
    },
  },
} as const;
