import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/account/change-password";
import { Providers } from "@/components/providers";
import { SignOutButton } from "@/components/shell/sign-out";
import { currentActor } from "@/server/api/server-caller";

export const dynamic = "force-dynamic";
export const metadata = { title: "Change your password" };

/** Where every page sends a person whose password someone else set (the first admin's, an admin's create or reset). */
export default async function ChangePasswordPage() {
  const actor = await currentActor();
  if (!actor) redirect("/sign-in");
  if (!actor.mustChangePassword) redirect("/");
  return (
    <Providers>
      <main className="auth-page">
        <div className="panel auth-card">
          <h1>Change your password</h1>
          <p>
            {actor.email}: your password was set by someone else (printed at first start, or by an admin). Choose your own before
            going on.
          </p>
          <ChangePasswordForm then="/" className="" />
          <SignOutButton />
        </div>
      </main>
    </Providers>
  );
}
