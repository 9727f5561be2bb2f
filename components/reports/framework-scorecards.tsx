import Link from "next/link";
import type { RouterOutputs } from "@/components/api-types";

type Scorecards = RouterOutputs["reports"]["scorecards"];

/**
 * The five frameworks' scorecards (tRPC reports.scorecards): passing, failing and not assessed controls today, each
 * card opening that framework's report. Plain markup, so it reads aloud and prints as it shows.
 */
export function FrameworkScorecards({ cards, current }: { cards: Scorecards; current?: string }) {
  return (
    <ul className="scorecards" aria-label="Framework scorecards">
      {cards.map((c) => (
        <li key={c.framework} className="panel scorecard" aria-current={c.framework === current ? "true" : undefined}>
          <Link href={`/reports?framework=${c.framework}`} className="scorecard-title">
            {c.name} {c.version}
          </Link>
          <div className="scorecard-numbers">
            <span className="badge ok">{c.passing} passing</span>
            <span className={c.failing ? "badge bad" : "badge"}>{c.failing} failing</span>
            <span className="badge">{c.notAssessed} not assessed</span>
          </div>
          <div className="muted">of {c.controls} controls</div>
        </li>
      ))}
    </ul>
  );
}
