"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";

/** Admin/security: map a finding (usually an unmapped one) to an Api by slug. */
export function AssignApi({ findingId, current }: { findingId: string; current: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [slug, setSlug] = useState("");
  const assign = useMutation(trpc.findings.assignApi.mutationOptions({ onSuccess: () => (setSlug(""), router.refresh()) }));
  return (
    <form
      className="toolbar"
      aria-label="Map this finding to an API"
      onSubmit={(e) => {
        e.preventDefault();
        if (slug.trim()) assign.mutate({ id: findingId, api: slug.trim().toLowerCase() });
      }}
    >
      <label>
        {current ? "Move to API (slug)" : "Map to API (slug)"}
        <input value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="e.g. payments-api" />
      </label>
      <button type="submit" className="primary" disabled={assign.isPending || !slug.trim()}>
        {current ? "Move" : "Map to API"}
      </button>
      {assign.error ? (
        <span role="alert" className="error">
          {assign.error.message}
        </span>
      ) : null}
    </form>
  );
}
