/** Reading and changing rule thresholds (admins), with an audit trail. */
import { recordAudit } from "@/server/audit/recorder";
import type { Prisma } from "@/generated/prisma/client";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError } from "@/server/domain/errors";
import { DEFAULT_RULE_SETTINGS, loadRuleSettings, RULE_SETTINGS_KEY, type RuleSettings, ruleSettingsSchema } from "./settings";

export async function getRuleThresholds(prisma: Db) {
  return { values: await loadRuleSettings(prisma), defaults: { ...DEFAULT_RULE_SETTINGS } as RuleSettings };
}

/** Stores only the values that differ from the defaults, so later default changes still apply to the rest. */
export async function setRuleThresholds(prisma: Db, actor: Actor, input: Partial<RuleSettings>) {
  const parsed = ruleSettingsSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("BAD_REQUEST", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const overrides = Object.fromEntries(
    Object.entries(parsed.data).filter(([key, value]) => value !== DEFAULT_RULE_SETTINGS[key as keyof RuleSettings]),
  ) as Prisma.InputJsonObject;
  await prisma.setting.upsert({
    where: { key: RULE_SETTINGS_KEY },
    create: { key: RULE_SETTINGS_KEY, value: overrides },
    update: { value: overrides },
  });
  await recordAudit(prisma, { actor: { type: actor.type, id: actor.userId }, action: "settings.rule-thresholds", target: { type: "setting", id: RULE_SETTINGS_KEY }, details: overrides });
  return getRuleThresholds(prisma);
}
