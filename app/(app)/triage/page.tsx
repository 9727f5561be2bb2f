import { TriageQueue } from "@/components/findings/triage-queue";
import { serverCaller } from "@/server/api/server-caller";
import { can, missingPermission } from "@/server/auth/permissions";

export const metadata = { title: "Triage queue" };

export default async function TriagePage() {
  const { actor } = await serverCaller();
  return (
    <>
      <h1>Triage queue</h1>
      {can(actor, "findings:decide") ? (
        <TriageQueue />
      ) : (
        <p role="alert" className="error">
          The triage queue is the security team&apos;s ({missingPermission("findings:decide")}).
        </p>
      )}
    </>
  );
}
