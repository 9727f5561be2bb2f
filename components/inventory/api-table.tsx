"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { RouterInputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { DATA_CLASSES, EXPOSURES as KNOWN_EXPOSURES, LIFECYCLES } from "@/server/domain/inventory";
import { BANDS } from "@/server/domain/risk";
import { BandBadge } from "@/components/overview/overview";
import { AssignOwnerless } from "./assign-ownerless";
import { AuthBadges, DataClassBadges, Lifecycle } from "./labels";
import { Pager } from "@/components/ui/pager";
import { useUrlFilters } from "@/components/ui/use-url-filters";
import { FilterSelect } from "@/components/ui/filter-select";

type SortKey = NonNullable<RouterInputs["apis"]["list"]["sort"]>;
const SORTABLE: readonly (readonly [SortKey, string])[] = [
  ["name", "Name"],
  ["riskScore", "Risk"],
  ["baseUrl", "Base URL"],
  ["owner", "Owner"],
  ["lifecycle", "Lifecycle"],
  ["exposure", "Exposure"],
  ["documentedEndpoints", "Endpoints (doc / obs)"],
];
const EXPOSURES = [...KNOWN_EXPOSURES, "unknown"] as const;
const RISK_BANDS = [...BANDS, "unscored"] as const;

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

export function ApiTable() {
  const trpc = useTRPC();
  const { params, update } = useUrlFilters();
  const [q, setQ] = useState(params.get("q") ?? "");

  const input = {
    q: params.get("q") || undefined,
    team: params.get("team") || undefined,
    ownerless: params.get("ownerless") === "1" || undefined,
    sensitive: params.get("sensitive") === "1" || undefined,
    lifecycle: pick(params.get("lifecycle"), LIFECYCLES),
    exposure: pick(params.get("exposure"), EXPOSURES),
    dataClass: pick(params.get("dataClass"), DATA_CLASSES),
    // "traffic": Apis known only from traffic (shadow APIs).
    source: params.get("source") === "traffic" ? "traffic" : undefined,
    band: pick(params.get("band"), RISK_BANDS),
    sort: pick(params.get("sort"), SORTABLE.map(([k]) => k)) ?? "name",
    dir: params.get("dir") === "desc" ? ("desc" as const) : ("asc" as const),
    page: Math.max(1, Number(params.get("page")) || 1),
    pageSize: 50,
  };
  const list = useQuery({ ...trpc.apis.list.queryOptions(input), placeholderData: keepPreviousData });
  const teams = useQuery(trpc.apis.teams.queryOptions());


  // Debounced search box.
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((params.get("q") ?? "") !== q) update({ q: q || undefined });
    }, 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;

  return (
    <>
      <div className="toolbar" role="search">
        <label>
          Search
          <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="name, slug or host" aria-label="Search APIs" />
        </label>
        <FilterSelect
          label="Team"
          value={input.team}
          options={teams.data?.map((t) => ({ value: t.slug, label: t.name })) ?? []}
          onChange={(team) => update({ team })}
        />
        <FilterSelect label="Risk band" value={input.band} options={RISK_BANDS} onChange={(band) => update({ band })} />
        <FilterSelect label="Lifecycle" value={input.lifecycle} options={LIFECYCLES} onChange={(lifecycle) => update({ lifecycle })} />
        <FilterSelect label="Exposure" value={input.exposure} options={EXPOSURES} onChange={(exposure) => update({ exposure })} />
        <FilterSelect label="Data class" value={input.dataClass} options={DATA_CLASSES} anyLabel="any" onChange={(dataClass) => update({ dataClass })} />
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          <input type="checkbox" checked={!!input.ownerless} onChange={(e) => update({ ownerless: e.target.checked ? "1" : undefined })} />
          Ownerless only
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          <input type="checkbox" checked={!!input.sensitive} onChange={(e) => update({ sensitive: e.target.checked ? "1" : undefined })} />
          Sensitive data
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          <input type="checkbox" checked={input.source === "traffic"} onChange={(e) => update({ source: e.target.checked ? "traffic" : undefined })} />
          Observed only
        </label>
      </div>
      {input.ownerless && data ? (
        <AssignOwnerless
          filter={{ q: input.q, team: input.team, band: input.band, sensitive: input.sensitive, lifecycle: input.lifecycle, exposure: input.exposure, dataClass: input.dataClass }}
          total={data.total}
        />
      ) : null}
      {list.error ? (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      ) : null}
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="APIs" aria-busy={list.isFetching}>
          <thead>
            <tr>
              {SORTABLE.map(([key, label]) => {
                const active = input.sort === key;
                return (
                  <th key={key} aria-sort={active ? (input.dir === "asc" ? "ascending" : "descending") : "none"}>
                    <button type="button" onClick={() => update({ sort: key, dir: active && input.dir === "asc" ? "desc" : "asc" })}>
                      {label} {active ? (input.dir === "asc" ? "▲" : "▼") : ""}
                    </button>
                  </th>
                );
              })}
              <th>Data classes</th>
              <th>Auth</th>
              <th>Sources</th>
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((api) => (
              <tr key={api.id}>
                <td>
                  <Link href={`/apis/${api.slug}`}>{api.name}</Link>{" "}
                  {api.observedOnly ? (
                    <span className="badge warn" title="Known only from traffic: no inventory documents it (shadow API)">
                      observed only
                    </span>
                  ) : null}
                </td>
                <td style={{ whiteSpace: "nowrap" }} data-testid="api-risk">
                  {api.riskScore === null ? (
                    <span className="muted">not scored</span>
                  ) : (
                    <>
                      <span className="mono">{api.riskScore.toFixed(1)}</span> {api.riskBand ? <BandBadge band={api.riskBand} /> : null}
                    </>
                  )}
                </td>
                <td className="mono">{api.baseUrl ?? <span className="muted">—</span>}</td>
                <td data-testid="owner-cell">{api.ownerTeam ? api.ownerTeam.name : <span className="badge bad">ownerless</span>}</td>
                <td>
                  <Lifecycle value={api.lifecycle} />
                </td>
                <td>{api.exposure ?? <span className="muted">unknown</span>}</td>
                <td>
                  {api.documentedEndpoints} / {api.observedEndpoints}
                </td>
                <td>
                  <DataClassBadges classes={api.dataClasses} />
                </td>
                <td>
                  {api.documentedEndpoints === 0 && api.authKinds.length === 0 ? (
                    <span className="muted" title="No source described its endpoints">unknown</span>
                  ) : (
                    <AuthBadges kinds={api.authKinds} />
                  )}
                </td>
                <td className="muted" style={{ whiteSpace: "nowrap" }}>
                  {(api.observedOnly ? ["traffic", ...api.sourceFormats] : api.sourceFormats).join(", ")}
                </td>
              </tr>
            ))}
            {data && data.rows.length === 0 ? (
              <tr>
                <td colSpan={10} className="muted">
                  No APIs match these filters.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager page={input.page} pages={pages} total={data?.total} noun="APIs" onPage={(p) => update({ page: String(p) })} />
    </>
  );
}
