/**
 * Server components call the router as the browser does, through a caller: the same procedures, permissions and
 * output schemas, with the context built from the request being rendered (the signed-in person and the database).
 * With the REST route handlers under app/api, this is the only place of the app that opens the database.
 */
import { cache } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";
import { pageOutcome } from "./page-errors";
import { createCaller } from "./root";

/** The signed-in person of this request (or null), read once per request however many components ask. */
export const currentActor = cache(async () => actorFromHeaders(await getPrisma(), await headers()));

/**
 * The router as the signed-in person calls it, and who that is; a redirect to sign-in otherwise. A person whose
 * password someone else set is sent to the change-password screen from every page until they have changed it.
 */
export const serverCaller = cache(async () => {
  const actor = await currentActor();
  if (!actor) redirect("/sign-in");
  if (actor.mustChangePassword) redirect("/change-password");
  return { caller: createCaller({ prisma: await getPrisma(), actor }), actor };
});

/** The router as whoever asks calls it, signed in or not: for pages signed-out people see (sign-in), public procedures. */
export const publicCaller = cache(async () => createCaller({ prisma: await getPrisma(), actor: await currentActor() }));

/** A page's call whose refusal the page shows itself ("forbidden"); not found and signed out are handled here. */
export type PageData<T> = { data: T; forbidden?: undefined } | { data?: undefined; forbidden: string };

/**
 * What a page does with a procedure's refusal, by the one error table (server/domain/errors.ts, page-errors.ts):
 * 404 → the not-found page, 401 → sign-in, 403 → `{ forbidden }` for the page to say why; anything else is thrown on.
 */
export async function pageData<T>(call: Promise<T>): Promise<PageData<T>> {
  try {
    return { data: await call };
  } catch (error) {
    const outcome = pageOutcome(error);
    if (outcome?.kind === "not-found") notFound();
    if (outcome?.kind === "sign-in") redirect("/sign-in");
    if (outcome?.kind === "forbidden") return { forbidden: outcome.message };
    throw error;
  }
}
