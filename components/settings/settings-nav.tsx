"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** Settings' own navigation: the sections the signed-in person may open. */
export function SettingsNav({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  if (items.length < 2) return null;
  return (
    <nav aria-label="Settings" className="toolbar" style={{ gap: 14 }}>
      {items.map((item) => {
        const current = item.href === "/settings" ? pathname === "/settings" : pathname.startsWith(item.href);
        return (
          <Link key={item.href} href={item.href} aria-current={current ? "page" : undefined} style={current ? { fontWeight: 600 } : undefined}>
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
