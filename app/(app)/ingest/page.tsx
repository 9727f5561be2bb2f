import { redirect } from "next/navigation";
import { can } from "@/server/auth/permissions";
import { RunsTable } from "@/components/ingest/runs-table";
import { Upload } from "@/components/ingest/upload";
import { serverCaller } from "@/server/api/server-caller";

export const metadata = { title: "Ingest" };

export default async function IngestPage() {
  const { actor } = await serverCaller();
  if (!can(actor, "ingest:write")) redirect("/");
  return (
    <>
      <h1>Ingest</h1>
      <Upload />
      <RunsTable />
    </>
  );
}
