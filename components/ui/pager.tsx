"use client";

/** Previous / next paging for server-paged tables. */
export function Pager({
  page,
  pages,
  total,
  noun,
  onPage,
}: {
  page: number;
  pages: number;
  total?: number;
  noun?: string;
  onPage: (page: number) => void;
}) {
  return (
    <div className="pager">
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
    </div>
  );
}
