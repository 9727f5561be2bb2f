import { openApiDocument } from "@/server/api/openapi-document";

export const dynamic = "force-static";

export function GET() {
  return Response.json(openApiDocument);
}
