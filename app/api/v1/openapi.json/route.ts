import { declareRoute } from "@/server/api/rest";
import { openApiDocument } from "@/server/api/openapi-document";
import { findingsPaths, findingsSchemas } from "@/server/api/openapi-findings";
import { reportsPaths, reportsSchemas } from "@/server/api/openapi-reports";

// Answered per request, like every API route, so that it carries Cache-Control: no-store (a static route's answer
// would be served with Next.js's own caching headers).
export const dynamic = "force-dynamic";

const error = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const jobResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/IngestJob" } } } });
const jobId = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{22}$" } };
const notFound = error("No such job for this token: unknown, expired (an hour after it ended), or started with another token");

/** Background ingest jobs (POST /ingest?async=true): added to the synchronous ingest described in openApiDocument. */
const ingest = openApiDocument.paths["/ingest"].post;
const document = {
  ...openApiDocument,
  components: {
    ...openApiDocument.components,
    securitySchemes: {
      ...openApiDocument.components.securitySchemes,
      sessionCookie: { type: "apiKey", in: "cookie", name: "better-auth.session_token", description: "The browser session of a signed-in person" },
    },
    schemas: {
      ...openApiDocument.components.schemas,
      ...findingsSchemas,
      ...reportsSchemas,
      IngestJobStarted: {
        type: "object",
        required: ["jobId", "statusUrl", "cancelUrl"],
        properties: {
          jobId: { type: "string" },
          statusUrl: { type: "string", description: "GET it with the same token for the job's progress and results" },
          cancelUrl: { type: "string" },
        },
      },
      IngestJob: {
        type: "object",
        required: ["id", "status", "cancelRequested", "createdAt", "elapsedMs", "files"],
        properties: {
          id: { type: "string" },
          status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "cancelled"], description: "Jobs run one after another; failed when any file failed" },
          cancelRequested: { type: "boolean" },
          createdAt: { type: "string", format: "date-time" },
          startedAt: { type: ["string", "null"], format: "date-time" },
          finishedAt: { type: ["string", "null"], format: "date-time" },
          elapsedMs: { type: "integer" },
          files: {
            type: "array",
            items: {
              type: "object",
              properties: {
                name: { type: "string" },
                sizeBytes: { type: "integer" },
                status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "duplicate", "cancelled"] },
                phase: {
                  type: "string",
                  enum: ["queued", "hashing", "ingesting", "finishing", "done"],
                  description: "Documents are read twice: hashing (duplicate check), then ingesting; logs are hashed while ingesting",
                },
                bytesRead: { type: "integer", description: "Bytes read in the current phase" },
                percent: { type: "number", description: "Percent of the current phase" },
                lines: { type: "integer", description: "Lines read in the current phase" },
                records: { type: "integer" },
                linesPerSecond: { type: "integer" },
                elapsedMs: { type: "integer" },
                result: { oneOf: [{ $ref: "#/components/schemas/IngestRun" }, { type: "null" }], description: "Set when the file is done" },
                error: { type: ["string", "null"], description: "Why a file ended without a run (cancelled before it was read, internal error)" },
              },
            },
          },
        },
      },
    },
  },
  paths: {
    ...openApiDocument.paths,
    ...findingsPaths,
    ...reportsPaths,
    "/ingest": {
      post: {
        ...ingest,
        description:
          `${ingest.description} With \`async=true\` the upload is stored and the answer is 202 at once; the files are then ` +
          "ingested in the background: poll the job's statusUrl with the same token.",
        parameters: [
          ...ingest.parameters,
          { name: "async", in: "query", required: false, schema: { type: "string", enum: ["true", "false"], default: "false" }, description: "Ingest in a background job" },
        ],
        responses: {
          ...ingest.responses,
          "202": {
            description: "async=true: the upload is stored and a job ingests it",
            headers: { Location: { schema: { type: "string" }, description: "The job's statusUrl" } },
            content: { "application/json": { schema: { $ref: "#/components/schemas/IngestJobStarted" } } },
          },
          "403": error("The token's owner may not ingest (role admin or security)"),
        },
      },
    },
    "/ingest/jobs/{id}": {
      get: {
        operationId: "getIngestJob",
        summary: "Progress and results of a background ingest",
        description: "Only the token that started the job can read it. Finished jobs are kept for an hour; jobs do not survive a server restart.",
        parameters: [jobId],
        responses: { "200": jobResponse("The job"), "400": error("Malformed job id"), "401": error("No token"), "404": notFound },
      },
    },
    "/apis/{slug}/draft-spec": {
      get: {
        operationId: "getDraftSpec",
        summary: "OpenAPI 3.1 draft of an Api from its traffic",
        description:
          "For an Api known only from traffic, every path seen; for a documented Api, the paths seen that no inventory documents. " +
          "Paths with inferred path parameters, methods, statuses seen, a bearer scheme when authenticated principals were seen, servers. " +
          "Taken with the browser session (the Api page's download); another team's Api answers 404.",
        security: [{ sessionCookie: [] }],
        parameters: [{ name: "slug", in: "path", required: true, schema: { type: "string", pattern: "^[a-z0-9-]{1,120}$" } }],
        responses: {
          "200": { description: "The draft (an attachment)", content: { "application/json": { schema: { type: "object", required: ["openapi", "info", "paths"] } } } },
          "401": error("Not signed in"),
          "404": error("No such Api, or one of another team"),
        },
      },
    },
    "/ingest/jobs/{id}/cancel": {
      post: {
        operationId: "cancelIngestJob",
        summary: "Cancel a background ingest",
        description: "The file being ingested rolls back (nothing of it is written); files not started yet are skipped. Cancelling a finished job changes nothing.",
        parameters: [jobId],
        responses: { "200": jobResponse("The job, cancelRequested set"), "400": error("Malformed job id"), "401": error("No token"), "404": notFound },
      },
    },
  },
};

export const GET = declareRoute(
  { credential: "public", why: "the API description; it names no object" },
  async () => Response.json(document),
);
