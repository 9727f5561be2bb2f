import Link from "next/link";
import { MyFindings } from "@/components/findings/my-findings";
import { serverCaller } from "@/server/api/server-caller";
import { can } from "@/server/auth/permissions";

export const metadata = { title: "My findings" };

export default async function MyFindingsPage() {
  const { actor } = await serverCaller();
  if (!can(actor, "findings:read")) {
    return (
      <>
        <h1>My findings</h1>
        <p className="muted">
          Findings are worked on by developers and the security team. See the <Link href="/findings">finding counts</Link> and the overview instead.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>My findings</h1>
      <MyFindings userId={actor.userId} />
    </>
  );
}
