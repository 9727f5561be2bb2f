import type { ReactNode } from "react";

/** recharts' tooltip in the theme's colours (its default text is black, 1.2:1 on the dark panel). */
export const TOOLTIP = {
  contentStyle: { background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" },
  labelStyle: { color: "var(--text)" },
  itemStyle: { color: "var(--text)" },
} as const;

export interface ChartTable {
  /** The table's accessible name, e.g. "Organisation risk per day". */
  label: string;
  columns: readonly string[];
  rows: readonly (readonly (string | number)[])[];
}

/**
 * A chart with its text alternative. The drawing is hidden from assistive technology and holds nothing focusable
 * (charts are drawn with recharts' `accessibilityLayer={false}`): the caption says in a sentence what it shows, for
 * every reader and in print, and `table` gives the numbers behind it to screen readers (visually hidden).
 */
export function ChartFigure({ caption, height, table, children }: { caption: ReactNode; height: number; table?: ChartTable; children: ReactNode }) {
  return (
    <figure className="chart">
      <div aria-hidden="true" style={{ width: "100%", height }}>
        {children}
      </div>
      <figcaption>{caption}</figcaption>
      {table ? (
        <table className="sr-only" aria-label={table.label}>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell}</th> : <td key={j}>{cell}</td>))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </figure>
  );
}
