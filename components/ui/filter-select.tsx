"use client";

/** A labelled select filter whose empty value means "no filter". */
export function FilterSelect({
  label,
  value,
  options,
  anyLabel = "all",
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: readonly (string | { value: string; label: string })[];
  anyLabel?: string;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <label>
      {label}
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{anyLabel}</option>
        {options.map((o) => {
          const { value: v, label: text } = typeof o === "string" ? { value: o, label: o } : o;
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}
