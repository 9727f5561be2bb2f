import { redirect } from "next/navigation";
import { RunsTable } from "@/components/ingest/runs-table";
import { Upload } from "@/components/ingest/upload";
import { requireActor } from "@/server/auth/current";
import { canIngest } from "@/server/auth/roles";

export const metadata = { title: "Ingest" };

export default async function IngestPage() {
  const actor = await requireActor();
  if (!canIngest(actor)) redirect("/");
  return (
    <>
      <h1>Ingest</h1>
      <Upload />
      <RunsTable />
    </>
  );
}
