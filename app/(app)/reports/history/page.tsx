import Link from "next/link";
import { ReportHistory } from "@/components/reports/report-history";
import { ReportSchedules } from "@/components/reports/report-schedules";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";
import "../reports.css";

export const metadata = { title: "Report history" };

/**
 * Reports → history: the scheduled reports (security and admin keep them) and the stored reports every role reads
 * (developers: those of their teams and their teams' Apis).
 */
export default async function ReportHistoryPage() {
  const { caller, actor } = await serverCaller();
  const schedules = can(actor, "reports:schedule");
  const [cards, teams] = await Promise.all([caller.reports.scorecards(), schedules ? caller.apis.teams() : Promise.resolve([])]);
  const frameworks = cards.map((c) => ({ id: c.framework, name: `${c.name} ${c.version}` }));
  return (
    <>
      <h1>Report history</h1>
      <p className="muted">
        <Link href="/reports">Back to the report builder</Link>
      </p>
      {schedules ? <ReportSchedules frameworks={frameworks} teams={teams.map((t) => ({ slug: t.slug, name: t.name }))} /> : null}
      <ReportHistory frameworks={frameworks} />
    </>
  );
}
