"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";

/** The bell in the navigation: unread in-app notifications, refreshed every minute; opens /notifications. */
export function Bell() {
  const trpc = useTRPC();
  const unread = useQuery(trpc.notifications.unreadCount.queryOptions(undefined, { refetchInterval: 60_000 }));
  const count = unread.data?.count ?? 0;
  return (
    <Link href="/notifications" className="bell" aria-label={count ? `Notifications: ${count} unread` : "Notifications"} title="Notifications" style={{ marginLeft: 8, textDecoration: "none" }}>
      <span aria-hidden="true">🔔</span>
      {count ? (
        <span className="badge" style={{ marginLeft: 4 }}>
          {count > 99 ? "99+" : count}
        </span>
      ) : null}
    </Link>
  );
}
