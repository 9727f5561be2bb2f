import { ExecutiveHome } from "@/components/executive/executive-home";
import { pageData, serverCaller } from "@/server/api/server-caller";

export const metadata = { title: "Executive summary" };

/** The executive home (executives land here; security and admins may read it): aggregates, never evidence. */
export default async function ExecutivePage() {
  const { caller } = await serverCaller();
  const [{ data, forbidden }, scorecards, lastReport] = await Promise.all([pageData(caller.executive.summary()), caller.reports.scorecards(), caller.reportSchedules.latest()]);
  return (
    <>
      <h1>Executive summary</h1>
      {data ? (
        <>
          <p className="muted">Are we getting better, are remediation deadlines met, and where is the risk. As of {data.asOf.slice(0, 16).replace("T", " ")} UTC.</p>
          <ExecutiveHome data={data} scorecards={scorecards} lastReport={lastReport} />
        </>
      ) : (
        <p role="alert" className="error">
          The executive summary is for executives, the security team and admins ({forbidden}).
        </p>
      )}
    </>
  );
}
