import { redirect } from "next/navigation";
import { can } from "@/server/auth/permissions";
import { RiskWeightsEditor } from "@/components/risk/weights-editor";
import { RuleThresholds } from "@/components/settings/thresholds";
import { Tokens } from "@/components/settings/tokens";
import { requireActor } from "@/server/auth/current";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requireActor();
  if (!can(actor, "ingest:write")) redirect("/");
  return (
    <>
      <h1>Settings</h1>
      <Tokens />
      <RiskWeightsEditor />
      <RuleThresholds canEdit={can(actor, "settings:write")} />
    </>
  );
}
