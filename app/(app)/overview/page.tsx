import { RiskOverview } from "@/components/overview/overview";
import { WeeklyChanges } from "@/components/overview/weekly-changes";
import { serverCaller } from "@/server/api/server-caller";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { caller } = await serverCaller();
  const [data, week] = await Promise.all([caller.risk.overview(), caller.apis.changesThisWeek()]);
  return (
    <>
      <h1>Overview</h1>
      <p className="muted">
        Risk of every API you can see, from inventories, scanner results, gateway logs and vault audits. Scores are 0–100, the sum of the factors shown on each
        API&apos;s page.
      </p>
      <RiskOverview data={data} />
      <WeeklyChanges data={week} />
    </>
  );
}
