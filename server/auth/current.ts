import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getPrisma } from "@/server/db/client";
import type { Actor } from "./roles";
import { actorFromHeaders } from "./session";

/**
 * For server components: the signed-in person, or a redirect to the sign-in page. A person whose password someone
 * else set is sent to the change-password screen from every page until they have changed it.
 */
export async function requireActor(): Promise<Actor> {
  const actor = await actorFromHeaders(await getPrisma(), await headers());
  if (!actor) redirect("/sign-in");
  if (actor.mustChangePassword) redirect("/change-password");
  return actor;
}
