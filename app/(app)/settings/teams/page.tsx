import { redirect } from "next/navigation";
import { TeamsAdmin } from "@/components/settings/teams";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "Teams" };

export default async function TeamsPage() {
  const { actor } = await serverCaller();
  if (!can(actor, "teams:admin")) redirect("/");
  return (
    <>
      <h1>Teams</h1>
      <TeamsAdmin />
    </>
  );
}
