"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { RouterInputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";
import { FINDING_KINDS, FINDING_STATUSES } from "@/server/domain/findings";
import { OWASP_API_CATEGORIES } from "@/server/domain/owasp";
import { SEVERITIES } from "@/server/domain/severity";
import { BulkActions } from "./bulk-actions";
import { SeverityBadge, SlaDue, StatusBadge, statusLabel } from "./labels";
import { Pager, SkipToPager } from "@/components/ui/pager";
import { useUrlFilters } from "@/components/ui/use-url-filters";
import { FilterSelect } from "@/components/ui/filter-select";

const STATUSES = ["active", ...FINDING_STATUSES] as const;
type SortKey = NonNullable<RouterInputs["findings"]["list"]["sort"]>;
const SORTABLE: readonly (readonly [SortKey, string])[] = [
  ["severity", "Severity"],
  ["title", "Finding"],
  ["occurrences", "Occurrences"],
  ["lastSeenAt", "Last seen"],
  ["slaDueAt", "SLA due"],
];

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

/** `bulk`: for those who may act on findings (findings:write): who they are and which decisions they may make. */
export function FindingsTable({ canSeeUnmapped, bulk }: { canSeeUnmapped: boolean; bulk?: { userId: string; canDecide: boolean; canMap: boolean } }) {
  const trpc = useTRPC();
  const { params, update } = useUrlFilters();
  const [q, setQ] = useState(params.get("q") ?? "");
  const [api, setApi] = useState(params.get("api") ?? "");
  const cwe = Number(params.get("cwe"));

  const input = {
    q: params.get("q") || undefined,
    api: params.get("api") || undefined,
    team: params.get("team") || undefined,
    severity: pick(params.get("severity"), SEVERITIES),
    status: pick(params.get("status"), STATUSES),
    kind: pick(params.get("kind"), FINDING_KINDS),
    owasp: pick(params.get("owasp"), OWASP_API_CATEGORIES),
    tool: params.get("tool") || undefined,
    ruleId: params.get("ruleId") || undefined,
    cwe: Number.isInteger(cwe) && cwe > 0 ? cwe : undefined,
    overdue: params.get("overdue") === "1" || undefined,
    unmapped: params.get("unmapped") === "1" || undefined,
    sort: pick(params.get("sort"), SORTABLE.map(([k]) => k)) ?? "severity",
    dir: params.get("dir") === "asc" ? ("asc" as const) : ("desc" as const),
    page: Math.max(1, Number(params.get("page")) || 1),
    pageSize: 50,
  };
  const list = useQuery({ ...trpc.findings.list.queryOptions(input), placeholderData: keepPreviousData });
  // The filter alone (no sort or page): what "all that match" means for a bulk action.
  const { sort: _sort, dir: _dir, page: _page, pageSize: _pageSize, ...filter } = input;
  const filterKey = JSON.stringify(filter);
  const [ticked, setTicked] = useState<{ key: string; ids: Set<string> }>({ key: filterKey, ids: new Set() });
  // Ticks belong to one filter: changing it starts over.
  const tickedIds = ticked.key === filterKey ? ticked.ids : new Set<string>();
  const tick = (ids: string[], on: boolean) => {
    const next = new Set(tickedIds);
    for (const id of ids) if (on) next.add(id); else next.delete(id);
    setTicked({ key: filterKey, ids: next });
  };
  const teams = useQuery(trpc.apis.teams.queryOptions());


  // Debounced text boxes.
  useEffect(() => {
    const timer = setTimeout(() => {
      const changes: Record<string, string | undefined> = {};
      if ((params.get("q") ?? "") !== q) changes.q = q || undefined;
      if ((params.get("api") ?? "") !== api) changes.api = api.trim().toLowerCase() || undefined;
      if (Object.keys(changes).length) update(changes);
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, api]);

  const data = list.data;
  const facets = data?.facets;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const tools = Object.entries(facets?.tool ?? {}).sort((a, b) => b[1] - a[1]);

  return (
    <>
      <nav aria-label="Findings by severity" className="grid-cards">
        {SEVERITIES.map((s) => {
          const active = input.severity === s;
          return (
            <button
              key={s}
              type="button"
              className="panel"
              aria-pressed={active}
              onClick={() => update({ severity: active ? undefined : s })}
              style={{ textAlign: "left", outline: active ? "2px solid var(--accent)" : undefined }}
            >
              <div className="card-num">{facets ? (facets.severity[s] ?? 0).toLocaleString("en") : "…"}</div>
              <div className="card-label">
                <SeverityBadge severity={s} />
              </div>
            </button>
          );
        })}
      </nav>
      <div className="toolbar" role="search" aria-label="Filter findings">
        <label>
          Search
          <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="title" aria-label="Search findings" />
        </label>
        <label>
          API
          <input value={api} onChange={(e) => setApi(e.target.value)} placeholder="api slug" aria-label="API slug" />
        </label>
        <FilterSelect
          label="Severity"
          value={input.severity}
          options={SEVERITIES.map((s) => ({ value: s, label: `${s} (${facets?.severity[s] ?? 0})` }))}
          onChange={(severity) => update({ severity })}
        />
        <FilterSelect
          label="Status"
          value={input.status}
          options={STATUSES.map((s) => ({
            value: s,
            label: s === "active" ? "active (open, triaged, in progress)" : `${statusLabel(s)} (${facets?.status[s] ?? 0})`,
          }))}
          onChange={(status) => update({ status })}
        />
        <FilterSelect
          label="Tool"
          value={input.tool}
          options={[
            ...(input.tool && !tools.some(([t]) => t === input.tool) ? [input.tool] : []),
            ...tools.map(([t, n]) => ({ value: t, label: `${t} (${n})` })),
          ]}
          onChange={(tool) => update({ tool })}
        />
        <FilterSelect
          label="OWASP API 2023"
          value={input.owasp}
          options={OWASP_API_CATEGORIES.map((o) => ({ value: o, label: `${o} (${facets?.owasp[o] ?? 0})` }))}
          onChange={(owasp) => update({ owasp })}
        />
        <FilterSelect
          label="Team"
          value={input.team}
          options={teams.data?.map((t) => ({ value: t.slug, label: t.name })) ?? []}
          onChange={(team) => update({ team })}
        />
        <FilterSelect label="Kind" value={input.kind} options={FINDING_KINDS} onChange={(kind) => update({ kind })} />
        <label>
          CWE
          <input
            type="number"
            min={1}
            style={{ width: 90 }}
            defaultValue={input.cwe ?? ""}
            onBlur={(e) => update({ cwe: e.target.value || undefined })}
            aria-label="CWE number"
          />
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          <input type="checkbox" checked={!!input.overdue} onChange={(e) => update({ overdue: e.target.checked ? "1" : undefined })} />
          Overdue only
        </label>
        {canSeeUnmapped ? (
          <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
            <input type="checkbox" checked={!!input.unmapped} onChange={(e) => update({ unmapped: e.target.checked ? "1" : undefined })} />
            Unmapped only
          </label>
        ) : null}
        {input.ruleId ? (
          <button type="button" onClick={() => update({ ruleId: undefined })}>
            Rule {input.ruleId} ✕
          </button>
        ) : null}
      </div>
      {list.error ? (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      ) : null}
      {bulk ? (
        <BulkActions
          filter={filter}
          total={data?.total}
          ticked={[...tickedIds]}
          sampleId={data?.rows[0]?.id}
          userId={bulk.userId}
          canDecide={bulk.canDecide}
          canMap={bulk.canMap}
          onDone={() => setTicked({ key: filterKey, ids: new Set() })}
        />
      ) : null}
      <SkipToPager id="findings-pages" />
      <div className="panel" style={{ padding: 0, overflowX: "auto" }}>
        <table aria-label="Findings" aria-busy={list.isFetching}>
          <thead>
            <tr>
              {bulk ? (
                <th>
                  <input
                    type="checkbox"
                    aria-label="Tick every finding of this page"
                    checked={!!data?.rows.length && data.rows.every((f) => tickedIds.has(f.id))}
                    onChange={(e) => tick(data?.rows.map((f) => f.id) ?? [], e.target.checked)}
                  />
                </th>
              ) : null}
              {SORTABLE.slice(0, 2).map(([key, label]) => (
                <SortHeader key={key} sortKey={key} label={label} input={input} update={update} />
              ))}
              <th>API</th>
              <th>Where</th>
              <th>Tool</th>
              <th>Status</th>
              <th>OWASP</th>
              {SORTABLE.slice(2).map(([key, label]) => (
                <SortHeader key={key} sortKey={key} label={label} input={input} update={update} />
              ))}
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((f) => (
              <tr key={f.id}>
                {bulk ? (
                  <td>
                    <input type="checkbox" aria-label={`Tick ${f.title}`} checked={tickedIds.has(f.id)} onChange={(e) => tick([f.id], e.target.checked)} />
                  </td>
                ) : null}
                <td>
                  <SeverityBadge severity={f.severity} />
                </td>
                <td>
                  <Link href={`/findings/${f.id}`}>{f.title}</Link>
                  <div className="muted mono">{f.ruleId}{f.cwe ? ` · CWE-${f.cwe}` : ""}</div>
                </td>
                <td>{f.api ? <Link href={`/apis/${f.api.slug}`}>{f.api.name}</Link> : <span className="badge warn">unmapped</span>}</td>
                <td className="mono" style={{ minWidth: 180, maxWidth: 320, overflowWrap: "anywhere" }}>
                  {f.where ?? <span className="muted">—</span>}
                </td>
                <td>{f.tool ?? f.kind}</td>
                <td>
                  <StatusBadge status={f.status} resolution={f.resolution} regression={f.regression} />
                </td>
                <td>{f.owaspCategory ?? <span className="muted">—</span>}</td>
                <td>{f.occurrences}</td>
                <td>{f.lastSeenAt.slice(0, 10)}</td>
                <td>
                  <SlaDue dueAt={f.slaDueAt} overdue={f.overdue} />
                </td>
              </tr>
            ))}
            {data && data.rows.length === 0 ? (
              <tr>
                <td colSpan={bulk ? 11 : 10} className="muted">
                  No findings match these filters.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager id="findings-pages" page={input.page} pages={pages} total={data?.total} noun="findings" onPage={(p) => update({ page: String(p) })} />
    </>
  );
}

function SortHeader({
  sortKey,
  label,
  input,
  update,
}: {
  sortKey: SortKey;
  label: string;
  input: { sort: SortKey; dir: "asc" | "desc" };
  update: (changes: Record<string, string | undefined>) => void;
}) {
  const active = input.sort === sortKey;
  return (
    <th aria-sort={active ? (input.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" onClick={() => update({ sort: sortKey, dir: active && input.dir === "desc" ? "asc" : "desc" })}>
        {label} {active ? (input.dir === "asc" ? "▲" : "▼") : ""}
      </button>
    </th>
  );
}
