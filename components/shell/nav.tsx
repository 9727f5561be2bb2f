"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

interface NavItem {
  href: string;
  label: string;
  /** Pages that later releases add are listed, but not linked, so the map of the product is visible. */
  available: boolean;
}

export function Nav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <nav className="nav" aria-label="Main">
      {items.map((item) => {
        const current = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
        return item.available ? (
          <Link key={item.href} href={item.href} aria-current={current ? "page" : undefined}>
            {item.label}
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
