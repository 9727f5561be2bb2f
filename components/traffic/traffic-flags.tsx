"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { RouterInputs } from "@/components/api-types";
import { useTRPC } from "@/components/trpc";

type Flag = NonNullable<RouterInputs["traffic"]["flags"]["flag"]>;
const FLAGS: readonly (readonly [Flag, string])[] = [
  ["shadow", "Shadow endpoints"],
  ["zombie", "Zombies"],
  ["unused", "Unused endpoints"],
];

/** Inventory filter by traffic posture: Apis with active shadow-endpoint / zombie / unused-endpoint findings. */
export function TrafficFlags() {
  const trpc = useTRPC();
  const [flag, setFlag] = useState<Flag>("shadow");
  const q = useQuery(trpc.traffic.flags.queryOptions({ flag }));
  const counts = q.data?.counts;
  return (
    <section aria-label="Traffic posture">
      <p role="group" aria-label="Traffic posture filter">
        {FLAGS.map(([value, label]) => (
          <button key={value} type="button" className={`badge${flag === value ? " active" : ""}`} aria-pressed={flag === value} onClick={() => setFlag(value)}>
            {label}: {counts ? counts[value] : "…"}
          </button>
        ))}{" "}
        {counts?.shadowApis ? <Link className="badge bad" href="/apis?source=traffic">{counts.shadowApis} shadow APIs (observed only)</Link> : null}
      </p>
      {q.error ? <p className="badge bad">{q.error.message}</p> : null}
      {q.data && q.data.apis.length === 0 ? <p className="muted">No API has active findings of this kind.</p> : null}
      {q.data && q.data.apis.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>API</th>
              <th>Owner</th>
              <th>Lifecycle</th>
              <th>Findings</th>
            </tr>
          </thead>
          <tbody>
            {q.data.apis.map((a) => (
              <tr key={a.slug}>
                <td>
                  <Link href={`/apis/${a.slug}`}>{a.name}</Link>
                </td>
                <td>{a.owner ?? <span className="badge bad">ownerless</span>}</td>
                <td>{a.lifecycle ?? "unknown"}</td>
                <td>{a.findings}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
