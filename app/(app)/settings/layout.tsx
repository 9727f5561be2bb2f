import type { ReactNode } from "react";
import { SettingsNav } from "@/components/settings/settings-nav";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

/** Settings → General (tokens, risk weights, thresholds, remediation), People and Teams (admins), Webhooks. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const { actor } = await serverCaller();
  const items = [
    { href: "/settings", label: "General", available: can(actor, "ingest:write") },
    { href: "/settings/people", label: "People", available: can(actor, "people:admin") },
    { href: "/settings/teams", label: "Teams", available: can(actor, "teams:admin") },
    { href: "/settings/webhooks", label: "Webhooks", available: can(actor, "webhooks:admin") },
    { href: "/settings/audit", label: "Audit", available: can(actor, "audit:read") },
  ].filter((i) => i.available);
  return (
    <>
      <SettingsNav items={items} />
      {children}
    </>
  );
}
