import { redirect } from "next/navigation";
import { Webhooks } from "@/components/settings/webhooks";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "Webhooks" };

/** Settings → Webhooks (admins and security). */
export default async function WebhooksPage() {
  const { actor, caller } = await serverCaller();
  if (!can(actor, "webhooks:admin")) redirect("/settings");
  const teams = await caller.apis.teams();
  return <Webhooks teams={teams.map((t) => ({ slug: t.slug, name: t.name }))} />;
}
