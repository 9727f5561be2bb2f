import { RiskOverview } from "@/components/overview/overview";
import { requireActor } from "@/server/auth/current";
import { getPrisma } from "@/server/db/client";
import { riskOverview } from "@/server/risk/service";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requireActor();
  const data = await riskOverview(await getPrisma(), actor);
  return (
    <>
      <h1>Overview</h1>
      <p className="muted">
        Risk of every API you can see, from inventories, scanner results, gateway logs and vault audits. Scores are 0–100, the sum of the factors shown on each
        API&apos;s page.
      </p>
      <RiskOverview data={data} />
    </>
  );
}
