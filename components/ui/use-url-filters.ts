"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

/**
 * Filters, sort and page of a server-paged list kept in the URL (so a view can be bookmarked and shared).
 * `update` sets or clears keys and goes back to page 1 unless the page itself changes. A late update (a debounced
 * search box firing after the person clicked a link away from the list) is dropped rather than pulling them back.
 */
export function useUrlFilters() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  function update(changes: Record<string, string | undefined>) {
    if (window.location.pathname !== pathname) return;
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("page" in changes)) next.delete("page");
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  }
  return { params, update };
}
