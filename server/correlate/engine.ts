/**
 * The correlation engine (DESIGN.md §1 "recompute correlation for the touched APIs", §3, §4).
 *
 *   correlate(prisma, { asOf?, apiIds? }) → summary
 *
 * In one transaction:
 * 1. re-links secrets to the current Apis (a secret seen before its Api was inventoried links now): every secret in
 *    a full run, those the scoped Apis can affect in a scoped run; Apis whose links changed join the scope;
 * 2. evaluates the posture, secret and traffic rules for the scope (apiIds; null = every Api) as of `asOf`
 *    (default now). Each rule runs behind a savepoint: a rule that throws is rolled back alone, reported in the
 *    summary, and its existing findings are left as they are (neither updated nor resolved);
 * 3. writes what fired and resolves what stopped firing within the scope (server/findings/derived.ts);
 * 4. recomputes the risk score of the scope's Apis and of every Api whose findings changed, and writes the day's
 *    RiskSnapshot (server/risk/inputs.ts).
 * The ingest pipeline calls it after each successful ingest with the Apis the file touched; `postern correlate`
 * calls it for every Api.
 */
import type { Db } from "@/server/db/client";
import { type DerivedCounts, writeDerivedFindings } from "@/server/findings/derived";
import { recomputeRisk } from "@/server/risk/inputs";
import { linkSecrets, linkSecretsForApis } from "@/server/secrets/link";
import type { DerivedFinding, Rule, RuleContext } from "./rule";
import { postureRules } from "./rules/posture";
import { secretRules } from "./rules/secrets";
import { trafficRules } from "./rules/traffic";
import { loadRuleSettings } from "./settings";

export interface CorrelateOptions {
  asOf?: Date;
  /** Apis to evaluate; null or omitted = every Api. */
  apiIds?: string[] | null;
  /** Rules to run (default: all registered). For tests. */
  rules?: Rule[];
}

export interface CorrelateSummary {
  asOf: Date;
  /** Apis evaluated (null scope: all of them). */
  apis: number;
  rulesEvaluated: number;
  ruleErrors: { ruleId: string; message: string }[];
  /** Derived findings per rule id that fired. */
  fired: Record<string, number>;
  findings: DerivedCounts;
  secretLinksChanged: number;
  apisScored: number;
  durationMs: number;
}

export function allRules(): Rule[] {
  return [...postureRules, ...secretRules, ...trafficRules];
}

export async function correlate(prisma: Db, options: CorrelateOptions = {}): Promise<CorrelateSummary> {
  const started = Date.now();
  const asOf = options.asOf ?? new Date();
  const rules = options.rules ?? allRules();
  const settings = await loadRuleSettings(prisma);
  return prisma.$transaction(
    async (tx) => {
      const links = options.apiIds == null ? await linkSecrets(tx, null) : await linkSecretsForApis(tx, options.apiIds);
      const scope = options.apiIds == null ? null : [...new Set([...options.apiIds, ...links.changedApiIds])];
      const ctx: RuleContext = { tx, asOf, apiIds: scope, settings };
      const derived: DerivedFinding[] = [];
      const evaluated: Rule[] = [];
      const ruleErrors: CorrelateSummary["ruleErrors"] = [];
      const fired: Record<string, number> = {};
      for (const [i, rule] of rules.entries()) {
        const savepoint = `rule_${i}`;
        await tx.$executeRawUnsafe(`SAVEPOINT ${savepoint}`);
        try {
          const found = await rule.evaluate(ctx);
          await tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${savepoint}`);
          for (const f of found) {
            derived.push({ ...f, ruleId: rule.id, kind: rule.kind });
            fired[rule.id] = (fired[rule.id] ?? 0) + 1;
          }
          evaluated.push(rule);
        } catch (error) {
          await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${savepoint}`);
          const message = error instanceof Error ? error.message.split("\n")[0]!.slice(0, 300) : String(error);
          console.error(`correlate: rule ${rule.id} failed: ${message}`);
          ruleErrors.push({ ruleId: rule.id, message });
        }
      }
      const written = await writeDerivedFindings(tx, derived, {
        asOf,
        evaluatedRules: evaluated.map((r) => ({ id: r.id, kind: r.kind })),
        scopeApiIds: scope,
      });
      const riskScope = scope === null ? null : [...new Set([...scope, ...written.apiIds])];
      const apisScored = await recomputeRisk(tx, riskScope, asOf);
      return {
        asOf,
        apis: scope === null ? apisScored : scope.length,
        rulesEvaluated: evaluated.length,
        ruleErrors,
        fired,
        findings: written.counts,
        secretLinksChanged: links.added + links.removed,
        apisScored,
        durationMs: Date.now() - started,
      };
    },
    { maxWait: 60_000, timeout: 3600_000 },
  );
}
