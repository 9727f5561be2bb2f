import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { can } from "@/server/auth/permissions";
import { Providers } from "@/components/providers";
import { Bell } from "@/components/shell/bell";
import { Nav } from "@/components/shell/nav";
import { SignOutButton } from "@/components/shell/sign-out";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { serverCaller } from "@/server/api/server-caller";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const { actor, caller } = await serverCaller();
  const theme = (await cookies()).get("postern-theme")?.value === "light" ? "light" : "dark";
  // The badges of My findings and the triage queue (the Nav keeps them fresh in the browser).
  const counts = can(actor, "findings:read") ? await caller.findings.counts() : null;
  // Developers start from their work: My findings is their landing page (app/(app)/page.tsx) and comes first.
  const developer = actor.role === "developer";
  // Executives land on their summary (app/(app)/page.tsx), so the Overview is /overview for them too.
  const executive = actor.role === "executive";
  const mine = { href: "/my", label: "My findings", available: true, badge: "mine" as const };
  const summary = { href: "/executive", label: "Executive summary", available: true };
  const items = [
    ...(developer ? [mine] : []),
    ...(executive ? [summary] : []),
    { href: developer || executive ? "/overview" : "/", label: "Overview", available: true },
    ...(can(actor, "findings:decide") ? [{ href: "/triage", label: "Triage queue", available: true, badge: "triage" as const }] : []),
    { href: "/apis", label: "APIs", available: true },
    { href: "/findings", label: "Findings", available: true },
    { href: "/attack-signals", label: "Attack signals", available: true },
    { href: "/secrets", label: "Secrets", available: actor.role !== "executive" },
    ...(!developer && can(actor, "findings:read") ? [mine] : []),
    ...(!executive && can(actor, "executive:read") ? [summary] : []),
    { href: "/reports", label: "Reports", available: true },
    { href: "/ingest", label: "Ingest", available: can(actor, "ingest:write") },
    { href: "/settings", label: "Settings", available: can(actor, "ingest:write") },
    { href: "/account", label: "My account", available: true },
  ];
  return (
    <Providers>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <div className="shell">
        <aside className="sidebar">
          <div className="brand">
            Postern <Bell />
          </div>
          <Nav items={items} counts={counts} />
          <div className="sidebar-footer">
            <span>
              {actor.email}
              <br />
              role: {actor.role}
            </span>
            <ThemeToggle initial={theme} />
            <SignOutButton />
          </div>
        </aside>
        <main id="content">{children}</main>
      </div>
    </Providers>
  );
}
