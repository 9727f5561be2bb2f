import { redirect } from "next/navigation";
import { PeopleAdmin } from "@/components/settings/people";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "People" };

export default async function PeoplePage() {
  const { actor } = await serverCaller();
  if (!can(actor, "people:admin")) redirect("/");
  return (
    <>
      <h1>People</h1>
      <PeopleAdmin me={actor.userId} />
    </>
  );
}
