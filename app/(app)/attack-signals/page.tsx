import { AttackSignals } from "@/components/traffic/attack-signals";
import { TrafficFlags } from "@/components/traffic/traffic-flags";
import { serverCaller } from "@/server/api/server-caller";

export const metadata = { title: "Attack signals" };

export default async function AttackSignalsPage() {
  await serverCaller();
  return (
    <>
      <h1>Attack signals</h1>
      <p className="muted">
        Active abuse seen in gateway traffic (object enumeration, credential stuffing, missing rate limits, exfiltration, error
        leakage, unauthenticated access), most recent first. Shadow, zombie and unused APIs are listed below. Logs are read as
        rollups; samples are redacted.
      </p>
      <AttackSignals />
      <h2>Traffic posture of the inventory</h2>
      <TrafficFlags />
    </>
  );
}
