import { ChangePasswordForm } from "@/components/account/change-password";
import { Tokens } from "@/components/settings/tokens";
import { serverCaller } from "@/server/api/server-caller";

export const metadata = { title: "My account" };

export default async function AccountPage() {
  const { caller } = await serverCaller();
  const account = await caller.account.get();
  return (
    <>
      <h1>My account</h1>
      <section className="panel" aria-label="Profile">
        <dl className="kv">
          <dt>Email</dt>
          <dd>{account.email}</dd>
          <dt>Name</dt>
          <dd>{account.name}</dd>
          <dt>Role</dt>
          <dd>{account.role}</dd>
          <dt>Teams</dt>
          <dd>{account.teams.length ? account.teams.map((t) => t.name).join(", ") : <span className="muted">none</span>}</dd>
        </dl>
      </section>
      <h2>Password</h2>
      <ChangePasswordForm />
      <Tokens own />
    </>
  );
}
