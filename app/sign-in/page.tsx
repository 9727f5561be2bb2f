import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentActor } from "@/server/api/server-caller";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

export default async function SignInPage() {
  const actor = await currentActor();
  if (actor) redirect("/");
  return (
    <main className="auth-page">
      <SignInForm />
    </main>
  );
}
