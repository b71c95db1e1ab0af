-- Decided requests without an outcome: either not yet claimed (the sweep finishes those
-- a crash interrupted) or claimed and never finished (listed for operators as stalled).
-- Settled requests always get an outcome, so this index stays small.
CREATE INDEX "approval_requests_unfinished_idx" ON "approval_requests"("tenant_id", "decided_at")
    WHERE "status" <> 'pending' AND "outcome" IS NULL;
