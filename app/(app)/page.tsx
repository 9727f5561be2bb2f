import { redirect } from "next/navigation";
import { serverCaller } from "@/server/api/server-caller";
import OverviewPage from "./overview/page";

export const metadata = { title: "Overview" };

/** The landing page: developers start from their work (My findings), executives from their summary; everyone else from the overview. */
export default async function HomePage() {
  const { actor } = await serverCaller();
  if (actor.role === "developer") redirect("/my");
  if (actor.role === "executive") redirect("/executive");
  return <OverviewPage />;
}
