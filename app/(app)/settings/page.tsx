import { redirect } from "next/navigation";
import { RiskWeightsEditor } from "@/components/risk/weights-editor";
import { RuleThresholds } from "@/components/settings/thresholds";
import { Tokens } from "@/components/settings/tokens";
import { requireActor } from "@/server/auth/current";
import { canAdminister, canIngest } from "@/server/auth/roles";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requireActor();
  if (!canIngest(actor)) redirect("/");
  return (
    <>
      <h1>Settings</h1>
      <Tokens />
      <RiskWeightsEditor />
      <RuleThresholds canEdit={canAdminister(actor)} />
    </>
  );
}
