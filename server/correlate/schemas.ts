/**
 * What the settings procedures answer (server/api/routers/settings.ts `.output()`): the shapes a client sees. tRPC
 * validates each answer against them and drops any key they do not name.
 */
import { z } from "zod";
import { DEFAULT_RULE_SETTINGS, type RuleSettings } from "./settings";

const ruleSettingsValues = z.object(
  Object.fromEntries(Object.keys(DEFAULT_RULE_SETTINGS).map((key) => [key, z.number()])) as Record<keyof RuleSettings, z.ZodNumber>,
);

/** Every rule threshold in force, and its default. */
export const ruleThresholdsOutput = z.object({ values: ruleSettingsValues, defaults: ruleSettingsValues });
