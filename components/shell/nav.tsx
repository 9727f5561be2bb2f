"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { RouterOutputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";

type Counts = RouterOutputs["findings"]["counts"];

interface NavItem {
  href: string;
  label: string;
  /** Pages that later releases add are listed, but not linked, so the map of the product is visible. */
  available: boolean;
  /** A count beside the label: my assigned findings (and overdue), or the triage queue's size. */
  badge?: "mine" | "triage";
}

/** `counts`: the badges' numbers as the layout read them (null: the reader works on no findings); refreshed here. */
export function Nav({ items, counts = null }: { items: NavItem[]; counts?: Counts | null }) {
  const pathname = usePathname();
  const trpc = useTRPC();
  const live = useQuery({
    ...trpc.findings.counts.queryOptions(undefined, { refetchInterval: 60_000 }),
    enabled: counts !== null,
    initialData: counts ?? undefined,
  });
  const numbers = counts === null ? null : (live.data ?? counts);
  return (
    <nav className="nav" aria-label="Main">
      {items.map((item) => {
        const current = item.href === "/" ? pathname === "/" : pathname === item.href || pathname.startsWith(`${item.href}/`);
        return item.available ? (
          <Link key={item.href} href={item.href} aria-current={current ? "page" : undefined}>
            {item.label}
            {item.badge && numbers ? <Badge kind={item.badge} counts={numbers} /> : null}
          </Link>
        ) : (
          <span key={item.href} className="soon" aria-disabled="true" title="Not available in this version">
            {item.label}
            <small>(not yet)</small>
          </span>
        );
      })}
    </nav>
  );
}

function Badge({ kind, counts }: { kind: "mine" | "triage"; counts: Counts }) {
  if (kind === "triage") {
    if (!counts.triage) return null;
    return (
      <span className="nav-count" data-testid="nav-triage-count" aria-label={`${counts.triage} in the triage queue`}>
        {counts.triage.toLocaleString("en")}
      </span>
    );
  }
  return (
    <>
      {counts.assigned ? (
        <span className="nav-count" data-testid="nav-assigned-count" aria-label={`${counts.assigned} assigned to me`}>
          {counts.assigned.toLocaleString("en")}
        </span>
      ) : null}
      {counts.overdue ? (
        <span className="nav-count bad" data-testid="nav-overdue-count" aria-label={`${counts.overdue} overdue`} title="overdue">
          {counts.overdue.toLocaleString("en")}
        </span>
      ) : null}
    </>
  );
}
