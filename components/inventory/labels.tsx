/** Small shared renderers for inventory values. */
export function AuthBadges({ kinds, mode }: { kinds: string[]; mode?: string }) {
  if (mode === "public") return <span className="badge warn">public</span>;
  if (kinds.length === 0) return <span className="badge bad">{mode === "undeclared" ? "undeclared" : "none declared"}</span>;
  return (
    <>
      {kinds.map((k) => (
        <span key={k} className={`badge${k === "basic" ? " warn" : ""}`}>
          {k}
        </span>
      ))}
    </>
  );
}

export function DataClassBadges({ classes }: { classes: string[] }) {
  if (classes.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {classes.map((c) => (
        <span key={c} className={`badge${c === "credentials" || c === "financial" ? " warn" : ""}`}>
          {c}
        </span>
      ))}
    </>
  );
}

export function Lifecycle({ value }: { value: string | null }) {
  if (!value) return <span className="muted">unknown</span>;
  return <span className={`badge${value === "deprecated" || value === "retired" ? " warn" : ""}`}>{value}</span>;
}
