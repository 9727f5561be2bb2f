import { redirect } from "next/navigation";
import { TeamDetail } from "@/components/settings/teams";
import { pageData, serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "Team" };

export default async function TeamPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { caller, actor } = await serverCaller();
  if (!can(actor, "teams:admin")) redirect("/");
  const { data: team, forbidden } = await pageData(caller.teams.get({ slug }));
  if (!team) return <p role="alert" className="error">{forbidden}</p>;
  return <TeamDetail slug={team.slug} />;
}
