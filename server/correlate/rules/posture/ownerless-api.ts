/**
 * ownerless-api (DESIGN.md §3, "Owner"): no owning team from any source. A contact (info.contact) is not an owner:
 * the finding names it so that someone can be asked. Apis known only from traffic are left to `shadow-api`.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { scopeApis } from "./common";

export const ownerlessApi: Rule = {
  id: "ownerless-api",
  kind: "posture",
  description: "An Api with no owning team in any source (a contact alone is not an owner).",
  async evaluate(ctx) {
    const out: DerivedFinding[] = [];
    for (const api of await scopeApis(ctx)) {
      if (api.ownerTeamId || (api.discoveredFromTraffic && api.sourceFormats.length === 0)) continue;
      const contact = api.contact && typeof api.contact === "object" && !Array.isArray(api.contact) ? (api.contact as Record<string, unknown>) : null;
      const contactText = contact ? [contact.name, contact.email, contact.url].filter((v) => typeof v === "string" && v).join(" · ") : "";
      out.push({
        ruleId: "ownerless-api",
        kind: "posture",
        apiId: api.id,
        subject: "",
        title: `${api.name} has no owner`,
        description: contactText
          ? `No inventory names an owning team for ${api.name}. Its spec lists a contact (${contactText}), which is not an owner.`
          : `No inventory (catalog, spec x-owner, gateway tag, CSV) names an owning team for ${api.name}.`,
        severity: "medium",
        owaspCategory: "API9",
        evidence: { sources: api.sourceFormats, ...(contactText ? { contact: contactText } : {}) },
      });
    }
    return out;
  },
};
