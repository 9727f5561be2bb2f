import Link from "next/link";
import { ReportChanges } from "@/components/reports/report-changes";
import { ReportView } from "@/components/reports/report-view";
import { pageData, serverCaller } from "@/server/api/server-caller";
import "../../reports.css";

export const metadata = { title: "Stored report" };

/** One stored report as it was made (not recomputed), its downloads, and what changed since the previous run. */
export default async function ReportRunPage({ params }: { params: Promise<{ id: string }> }) {
  const { caller } = await serverCaller();
  const { id } = await params;
  const { data, forbidden } = await pageData(caller.reportSchedules.run({ id }));
  if (!data) return <p className="error">{forbidden}</p>;
  const { run, document, previous, changes } = data;
  return (
    <>
      <h1>Stored report{run.scheduleName ? `: ${run.scheduleName}` : ""}</h1>
      <p className="muted">
        <Link href="/reports/history">Report history</Link> · {run.trigger === "schedule" ? "scheduled" : "run by hand"} · generated{" "}
        {run.generatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC
      </p>
      {document ? (
        <>
          <div className="report-downloads" aria-label="Download the stored report">
            <a href={`/api/reports/runs/${run.id}?format=pdf`} download data-testid="run-pdf">
              Download PDF
            </a>
            <a href={`/api/reports/runs/${run.id}?format=json`} download data-testid="run-json">
              Download JSON
            </a>
          </div>
          <ReportChanges previous={previous} changes={changes} />
          <ReportView report={document} />
        </>
      ) : (
        <p className="error">This run failed: {run.error}</p>
      )}
    </>
  );
}
