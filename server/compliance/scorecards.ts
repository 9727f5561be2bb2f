/**
 * The five frameworks' scorecards for the executive home and the Reports page: per framework how many controls
 * pass, fail or are not assessed today, over every Api the asker may see. Today's state is the findings' current
 * status, so one grouped query answers for all five frameworks (no history to read).
 */
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { controlsForKeys, ingestedEvidence, KEY_COLUMNS, type KeyRow, resolveScope } from "./evaluate";
import { FRAMEWORK_IDS, FRAMEWORKS, type FrameworkId } from "./frameworks";
import { isControlAssessed } from "./mapping";

export interface Scorecard {
  framework: FrameworkId;
  name: string;
  version: string;
  controls: number;
  passing: number;
  failing: number;
  notAssessed: number;
}

export async function frameworkScorecards(prisma: Db, actor: Actor, now: Date = new Date()): Promise<Scorecard[]> {
  const scope = await resolveScope(prisma, actor, { kind: "all" });
  const evidence = await ingestedEvidence(prisma, scope, now);
  // The distinct mapping keys of the active findings: a few hundred rows whatever the number of findings.
  const keys = await prisma.$queryRaw<KeyRow[]>`
    SELECT DISTINCT ${KEY_COLUMNS} FROM finding f LEFT JOIN api a ON a.id = f."apiId"
    WHERE ${scope.findings} AND f.status = ANY(${[...ACTIVE_STATUSES]}::text[])`;
  const failing = new Set<string>();
  for (const id of FRAMEWORK_IDS) {
    const controlsOf = controlsForKeys(id);
    for (const key of keys) for (const control of controlsOf(key)) failing.add(`${id} ${control}`);
  }
  return FRAMEWORK_IDS.map((id) => {
    const framework = FRAMEWORKS[id];
    let pass = 0;
    let fail = 0;
    let none = 0;
    for (const c of framework.controls) {
      if (failing.has(`${id} ${c.id}`)) fail++;
      else if (isControlAssessed(id, c.id, evidence)) pass++;
      else none++;
    }
    return { framework: id, name: framework.name, version: framework.version, controls: framework.controls.length, passing: pass, failing: fail, notAssessed: none };
  });
}
