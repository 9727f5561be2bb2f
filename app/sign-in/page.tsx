import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

export default async function SignInPage() {
  const actor = await actorFromHeaders(await getPrisma(), await headers());
  if (actor) redirect("/");
  return (
    <main className="auth-page">
      <SignInForm />
    </main>
  );
}
