import Link from "next/link";
import { FrameworkScorecards } from "@/components/reports/framework-scorecards";
import { ReportView } from "@/components/reports/report-view";
import { pageData, serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";
import "./reports.css";

export const metadata = { title: "Reports" };

type Search = Record<string, string | string[] | undefined>;

const DAY_MS = 86_400_000;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
/** A YYYY-MM-DD day, or undefined when absent or not a date. */
const isoDay = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(new Date(`${v}T00:00:00Z`).getTime()) ? v : undefined);

/**
 * Reports: the five frameworks' scorecards, then one framework's compliance report for a scope (all, a team, an
 * Api) and a period, with a print stylesheet and PDF, CSV and JSON downloads (/api/reports/export). A plain GET
 * form: the URL is the report, so it can be bookmarked and shared. Every role; developers see their teams' Apis.
 */
export default async function ReportsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { caller, actor } = await serverCaller();
  const search = await searchParams;
  const [cards, teams] = await Promise.all([caller.reports.scorecards(), caller.apis.teams()]);
  const framework = cards.find((c) => c.framework === one(search.framework))?.framework ?? cards[0]!.framework;
  const scopeKind = one(search.scope) === "team" ? "team" : one(search.scope) === "api" ? "api" : "all";
  const team = scopeKind === "team" ? one(search.team)?.toLowerCase() : undefined;
  const api = scopeKind === "api" ? one(search.api)?.toLowerCase() : undefined;
  const today = new Date().toISOString().slice(0, 10);
  const to = isoDay(one(search.to));
  const from = isoDay(one(search.from));
  // A day given as "to" means the whole day; the default period is the last 90 days up to now.
  const toDate = to ? new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY_MS) : new Date();
  const fromDate = from ? new Date(`${from}T00:00:00Z`) : new Date(toDate.getTime() - 90 * DAY_MS);
  const badPeriod = fromDate.getTime() >= toDate.getTime();
  const query = {
    framework,
    ...(team ? { team } : {}),
    ...(api ? { api } : {}),
    from: fromDate.toISOString(),
    to: toDate.toISOString(),
  };
  const { data: report, forbidden } = badPeriod ? { data: undefined, forbidden: undefined } : await pageData(caller.reports.build(query));
  const download = (format: string) => `/api/reports/export?${new URLSearchParams({ ...query, format }).toString()}`;
  // The CSV lists findings (ids, rules, Apis): for those who may read finding rows, not executives.
  const rowsAllowed = can(actor, "findings:read");

  return (
    <>
      <h1>Reports</h1>
      <p className="muted">
        Compliance with OWASP API Security Top 10, PCI DSS, SOC 2, ISO/IEC 27001 and NIST CSF, from the findings Postern holds and the evidence it has read.{" "}
        <Link href="/reports/history">Report history and scheduled reports</Link>
      </p>
      <FrameworkScorecards cards={cards} current={framework} />
      <form className="toolbar report-form" method="get" action="/reports" aria-label="Report options">
        <label>
          Framework
          <select name="framework" defaultValue={framework}>
            {cards.map((c) => (
              <option key={c.framework} value={c.framework}>
                {c.name} {c.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Scope
          <select name="scope" defaultValue={scopeKind}>
            <option value="all">All Apis</option>
            <option value="team">One team</option>
            <option value="api">One Api</option>
          </select>
        </label>
        <label>
          Team
          <select name="team" defaultValue={team ?? ""}>
            <option value="">—</option>
            {teams.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Api (slug)
          <input name="api" defaultValue={api ?? ""} placeholder="orders-api" size={16} />
        </label>
        <label>
          From
          <input type="date" name="from" defaultValue={from ?? fromDate.toISOString().slice(0, 10)} max={today} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={to ?? today} max={today} />
        </label>
        <button type="submit" className="primary">
          Show report
        </button>
      </form>
      {badPeriod ? <p className="error">The period must start before it ends.</p> : null}
      {forbidden ? <p className="error">{forbidden}</p> : null}
      {report ? (
        <>
          <div className="report-downloads" aria-label="Download the report">
            <a href={download("pdf")} download data-testid="download-pdf">
              Download PDF
            </a>
            {rowsAllowed ? (
              <a href={download("csv")} download data-testid="download-csv">
                Download CSV (findings under the controls)
              </a>
            ) : null}
            <a href={download("json")} download data-testid="download-json">
              Download JSON
            </a>
          </div>
          <ReportView report={report} />
        </>
      ) : null}
    </>
  );
}
