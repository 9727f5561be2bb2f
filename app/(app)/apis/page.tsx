import { Suspense } from "react";
import { ApiTable } from "@/components/inventory/api-table";

export const metadata = { title: "APIs" };

export default function ApisPage() {
  return (
    <>
      <h1>API inventory</h1>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <ApiTable />
      </Suspense>
    </>
  );
}
