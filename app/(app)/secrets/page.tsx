import { redirect } from "next/navigation";
import { Suspense } from "react";
import { SecretsTable } from "@/components/secrets/secrets-table";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "Secrets" };

export default async function SecretsPage() {
  const { actor } = await serverCaller();
  if (!can(actor, "secrets:read")) redirect("/");
  return (
    <>
      <h1>Secrets</h1>
      <p className="muted">From vault audit logs: values are never read or stored, only who accessed which secret and when.</p>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <SecretsTable />
      </Suspense>
    </>
  );
}
