import { redirect } from "next/navigation";
import { can } from "@/server/auth/permissions";
import { RiskWeightsEditor } from "@/components/risk/weights-editor";
import { SlaSettings } from "@/components/settings/sla-settings";
import { SuppressionRules } from "@/components/settings/suppression-rules";
import { RuleThresholds } from "@/components/settings/thresholds";
import { Tokens } from "@/components/settings/tokens";
import { serverCaller } from "@/server/api/server-caller";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { actor } = await serverCaller();
  if (!can(actor, "ingest:write")) redirect("/");
  return (
    <>
      <h1>Settings</h1>
      <Tokens />
      <RiskWeightsEditor />
      <RuleThresholds canEdit={can(actor, "settings:write")} />
      <SlaSettings canEdit={can(actor, "settings:write")} />
      {can(actor, "findings:decide") ? <SuppressionRules /> : null}
    </>
  );
}
