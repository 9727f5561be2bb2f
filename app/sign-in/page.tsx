import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentActor, publicCaller } from "@/server/api/server-caller";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

/** Why the identity provider's round trip came back here (better-auth's error codes and Postern's own). */
const SSO_ERRORS: Record<string, string> = {
  ACCOUNT_DEACTIVATED: "This account is deactivated. Ask an admin to reactivate it.",
  NOT_AUTHORIZED: "Your identity provider's account has no role in Postern. Ask an admin.",
  account_not_linked: "This e-mail belongs to a local Postern account: sign in with its password.",
  access_denied: "The identity provider did not let you in.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await currentActor();
  if (actor) redirect("/");
  const { error } = await searchParams;
  const { provider } = await (await publicCaller()).me.signInOptions();
  const code = typeof error === "string" ? error.slice(0, 100) : null;
  const ssoError = code ? (SSO_ERRORS[code] ?? `Sign-in with the identity provider failed (${code}).`) : null;
  return (
    <main className="auth-page">
      <SignInForm provider={provider?.name ?? null} initialError={ssoError} />
    </main>
  );
}
