import { redirect } from "next/navigation";
import { AuditLog } from "@/components/settings/audit";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "Audit log" };

/** Settings → Audit (admins). */
export default async function AuditPage() {
  const { actor } = await serverCaller();
  if (!can(actor, "audit:read")) redirect("/settings");
  return <AuditLog />;
}
