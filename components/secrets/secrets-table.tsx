"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Pager } from "@/components/ui/pager";
import { useUrlFilters } from "@/components/ui/use-url-filters";

export function SecretsTable() {
  const trpc = useTRPC();
  const { params, update } = useUrlFilters();
  const input = {
    q: params.get("q") || undefined,
    api: params.get("api") || undefined,
    stale: params.get("stale") === "1" || undefined,
    page: Math.max(1, Number(params.get("page")) || 1),
    pageSize: 50,
  };
  const list = useQuery({ ...trpc.secrets.list.queryOptions(input), placeholderData: keepPreviousData });
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <div className="toolbar" role="search">
        <label>
          Search
          <input defaultValue={input.q ?? ""} onChange={(e) => update({ q: e.target.value || undefined })} aria-label="Search secrets" placeholder="path, ARN or safe" />
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          <input type="checkbox" checked={!!input.stale} onChange={(e) => update({ stale: e.target.checked ? "1" : undefined })} />
          Not rotated for {data?.staleDays ?? 90}+ days
        </label>
      </div>
      {list.error ? (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      ) : null}
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="Secrets" aria-busy={list.isFetching}>
          <thead>
            <tr>
              <th>Secret</th>
              <th>Source</th>
              <th>APIs</th>
              <th>Last rotation</th>
              <th>Readers ({data?.windowDays ?? 30} d)</th>
              <th>Denied</th>
              <th>Source addresses</th>
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((s) => (
              <tr key={s.id}>
                <td className="mono" title={s.ref}>
                  {s.displayName}
                </td>
                <td>{s.source}</td>
                <td>
                  {s.apis.length ? (
                    s.apis.map((a) => (
                      <Link key={a.slug} href={`/apis/${a.slug}`} className="badge" title={`linked by ${a.via}`}>
                        {a.name}
                      </Link>
                    ))
                  ) : (
                    <span className="muted">not linked</span>
                  )}
                </td>
                <td>
                  {s.lastRotatedAt ? s.lastRotatedAt.slice(0, 10) : <span className="muted">unknown</span>}{" "}
                  {s.stale ? <span className="badge warn">stale</span> : null}
                </td>
                <td>
                  {s.readers} <span className="muted">({s.reads} reads)</span>
                </td>
                <td>{s.denied ? <span className="badge bad">{s.denied}</span> : 0}</td>
                <td className="mono">{s.addresses.join(", ") || <span className="muted">—</span>}</td>
              </tr>
            ))}
            {data && data.rows.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No secrets match. Ingest a Vault, CloudTrail or CyberArk audit log to see them.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager page={input.page} pages={pages} total={data?.total} noun="secrets" onPage={(p) => update({ page: String(p) })} />
    </>
  );
}
