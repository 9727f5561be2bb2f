import { declareRoute, downloadResponse, queryObject, textStream } from "@/server/api/rest";
import { auditCsv, auditFilter } from "@/server/audit/service";
import { can, missingPermission } from "@/server/auth/permissions";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/**
 * Settings → Audit's export: the filtered audit log as CSV, streamed (keyset pages, server/audit/service.ts).
 * Query parameters: actor, action, targetType, targetId, from, to (ISO dates). Session cookie, admins (audit:read).
 */
export const GET = declareRoute({ credential: "session", permission: "audit:read" }, async (request: Request) => {
  const prisma = await getPrisma();
  const actor = await actorFromHeaders(prisma, request.headers);
  if (!actor) return Response.json({ error: "sign in first" }, { status: 401 });
  if (!can(actor, "audit:read")) return Response.json({ error: missingPermission("audit:read") }, { status: 403 });
  const params = queryObject(new URL(request.url).searchParams);
  const filter = auditFilter.safeParse(params);
  if (!filter.success) return Response.json({ error: filter.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }, { status: 400 });
  const body = textStream(auditCsv(prisma, filter.data));
  const day = new Date().toISOString().slice(0, 10);
  return downloadResponse(body, { filename: `postern-audit-${day}.csv`, contentType: "text/csv; charset=utf-8" });
});
