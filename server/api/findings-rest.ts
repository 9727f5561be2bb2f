/**
 * The findings REST API (/api/v1/findings…) for scripts and CI: the Findings page's list and a finding with its
 * history (scope findings:read), and the remediation workflow — transition, assign, comment, bulk (scope
 * findings:write). Every call acts as the token's owner through the same services as the UI (server/findings/
 * service.ts, workflow.ts, bulk.ts): their role decides what they may do, their teams which findings they may see
 * (another team's finding answers 404), and changes are audited with origin "api". Answers are the procedures'
 * output shapes (server/findings/schemas.ts).
 */
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/domain/errors";
import { bulkAssign, bulkResult, bulkTransition } from "@/server/findings/bulk";
import { findingDetailOutput, findingListOutput } from "@/server/findings/schemas";
import { findingFilterInput, findingListInput, getFinding, listFindings, MAX_SELECTION } from "@/server/findings/service";
import { actionResult, assignFindingsTo, commentOnFinding, transitionFindings, transitionInput } from "@/server/findings/workflow";
import { jsonBody, RequestError, withToken } from "./token-route";

const ORIGIN = { origin: "api" as const };
const idParam = z.string().min(1).max(64);
const email = z.string().trim().toLowerCase().email().max(320);

type Params = { params: Promise<{ id: string }> };
/** The database, lent by the route handler (getPrisma). */
type Open = () => Promise<Db>;

async function findingIdOf(params: Params["params"]): Promise<string> {
  const parsed = idParam.safeParse((await params).id);
  if (!parsed.success) throw new RequestError(400, "invalid finding id");
  return parsed.data;
}

async function userIdByEmail(prisma: Db, address: string | null): Promise<string | null> {
  if (address === null) return null;
  const user = await prisma.user.findUnique({ where: { email: address }, select: { id: true } });
  if (!user) throw notFound(`User ${address}`);
  return user.id;
}

const NUMBERS = new Set(["cwe", "page", "pageSize"]);
const BOOLEANS = new Set(["overdue", "unmapped"]);

/** Query parameters as the list input: numbers and booleans read from their text; an unknown parameter is refused. */
export function listQuery(search: URLSearchParams): z.output<typeof findingListInput> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of search) {
    if (NUMBERS.has(key)) raw[key] = /^\d+$/.test(value) ? Number(value) : value;
    else if (BOOLEANS.has(key)) raw[key] = value === "true" ? true : value === "false" ? false : value;
    else raw[key] = value;
  }
  return findingListInput.strict().parse(raw);
}

/** GET /api/v1/findings?severity=&status=&…&page=&pageSize= */
export function listRoute(request: Request, open: Open): Promise<Response> {
  return withToken(request, open, "findings:read", "findings:read", async (actor, prisma) => {
    const input = listQuery(new URL(request.url).searchParams);
    return Response.json(findingListOutput.parse(await listFindings(prisma, actor, input)));
  });
}

/** GET /api/v1/findings/{id}: the finding, its evidence and its history. */
export function getRoute(request: Request, { params }: Params, open: Open): Promise<Response> {
  return withToken(request, open, "findings:read", "findings:read", async (actor, prisma) => {
    const id = await findingIdOf(params);
    return Response.json(findingDetailOutput.parse(await getFinding(prisma, actor, id)));
  });
}

export const transitionBody = transitionInput.omit({ ids: true }).strict();

/** POST /api/v1/findings/{id}/transition {to, reason?, expiresAt?, duplicateOf?} */
export function transitionRoute(request: Request, { params }: Params, open: Open): Promise<Response> {
  return withToken(request, open, "findings:write", "findings:write", async (actor, prisma) => {
    const id = await findingIdOf(params);
    const body = await jsonBody(request, transitionBody);
    return Response.json(actionResult.parse(await transitionFindings(prisma, actor, { ...body, ids: [id] }, ORIGIN)));
  });
}

export const assignBody = z.object({ assignee: email.nullable() }).strict();

/** POST /api/v1/findings/{id}/assign {assignee: email | null} */
export function assignRoute(request: Request, { params }: Params, open: Open): Promise<Response> {
  return withToken(request, open, "findings:write", "findings:write", async (actor, prisma) => {
    const id = await findingIdOf(params);
    const body = await jsonBody(request, assignBody);
    const assignee = await userIdByEmail(prisma, body.assignee);
    return Response.json(actionResult.parse(await assignFindingsTo(prisma, actor, { ids: [id], assignee }, ORIGIN)));
  });
}

export const commentBody = z.object({ body: z.string().trim().min(1).max(20_000) }).strict();

/** POST /api/v1/findings/{id}/comments {body: markdown} → 201 */
export function commentRoute(request: Request, { params }: Params, open: Open): Promise<Response> {
  return withToken(request, open, "findings:write", "findings:write", async (actor, prisma) => {
    const id = await findingIdOf(params);
    const body = await jsonBody(request, commentBody);
    await commentOnFinding(prisma, actor, { id, body: body.body }, ORIGIN);
    return Response.json({ ok: true }, { status: 201 });
  });
}

const selection = {
  ids: z.array(idParam).min(1).max(MAX_SELECTION).optional(),
  filter: findingFilterInput.strict().optional(),
};
export const bulkBody = z
  .discriminatedUnion("action", [
    z.object({ action: z.literal("transition"), ...selection, ...transitionInput.omit({ ids: true }).shape }).strict(),
    z.object({ action: z.literal("assign"), ...selection, assignee: email.nullable() }).strict(),
  ])
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: "give exactly one of ids or filter" });

/** Bodies up to 8 MB: 100,000 ids. */
const BULK_LIMIT = 8 * 1024 * 1024;

/** POST /api/v1/findings/bulk {ids | filter, action: transition {to, …} | assign {assignee}} */
export function bulkRoute(request: Request, open: Open): Promise<Response> {
  return withToken(request, open, "findings:write", "findings:write", async (actor, prisma) => {
    const body = await jsonBody(request, bulkBody, BULK_LIMIT);
    const pick = body.ids ? { ids: body.ids } : { filter: body.filter };
    if (body.action === "transition") {
      const { action: _action, ids: _ids, filter: _filter, ...move } = body;
      return Response.json(bulkResult.parse(await bulkTransition(prisma, actor, { ...pick, ...move }, ORIGIN)));
    }
    const assignee = await userIdByEmail(prisma, body.assignee);
    return Response.json(bulkResult.parse(await bulkAssign(prisma, actor, { ...pick, assignee }, ORIGIN)));
  });
}
