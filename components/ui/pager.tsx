"use client";

/**
 * Previous / next paging for server-paged tables: a navigation landmark named after what it pages ("Pages of
 * findings"), so a screen reader can jump to it. Give it an `id` and put <SkipToPager id=…> before a long table so
 * that a keyboard user reaches it without tabbing through every row's links.
 */
export function Pager({
  page,
  pages,
  total,
  noun,
  id,
  onPage,
}: {
  page: number;
  pages: number;
  total?: number;
  noun?: string;
  id?: string;
  onPage: (page: number) => void;
}) {
  return (
    // tabIndex -1: the skip link moves focus here, so the next Tab is the first button of the pager.
    <nav className="pager" aria-label={`Pages of ${noun ?? "results"}`} id={id} tabIndex={id ? -1 : undefined}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
        {noun ? ` · ${total === undefined ? "…" : total.toLocaleString("en")} ${noun}` : ""}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/**
 * A skip link past a table's rows to its Pager (WCAG 2.4.1, like "Skip to content"): hidden until it has focus.
 * Focus moves to the pager itself (no #fragment left in the address, which holds the table's filters).
 */
export function SkipToPager({ id }: { id: string }) {
  return (
    <a
      className="skip-to"
      href={`#${id}`}
      onClick={(event) => {
        const pager = document.getElementById(id);
        if (!pager) return;
        event.preventDefault();
        pager.focus();
      }}
    >
      Skip to pagination
    </a>
  );
}
