"use client";
import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { errorMessage, useTRPC } from "@/components/trpc";

/** Verifies the tenant's whole chain (hashes, links, checkpoints, head) and says so. */
export function VerificationBadge({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const verification = useQuery(trpc.trace.verify.queryOptions({ tenantSlug }, { staleTime: 60_000 }));
  if (verification.isPending) {
    return (
      <span data-testid="verification-badge" role="status">
        <Badge>Verifying the event log…</Badge>
      </span>
    );
  }
  if (verification.isError) {
    return (
      <span data-testid="verification-badge">
        <Badge tone="warning">Verification could not run: {errorMessage(verification.error)}</Badge>
      </span>
    );
  }
  const result = verification.data;
  return (
    <span data-testid="verification-badge" className="inline-flex items-center gap-2">
      {result.isValid ? (
        <Badge tone="success">
          ✓ Event log verified: {result.checked} entries, {result.checkpointsChecked} signed checkpoints
        </Badge>
      ) : (
        <Badge tone="danger">
          ✗ Verification failed at event {result.failure.seq}: {result.failure.message}
        </Badge>
      )}
      <button
        type="button"
        className="text-xs text-slate-500 underline"
        onClick={() => void verification.refetch()}
        disabled={verification.isFetching}
      >
        {verification.isFetching ? "verifying…" : "verify again"}
      </button>
    </span>
  );
}
