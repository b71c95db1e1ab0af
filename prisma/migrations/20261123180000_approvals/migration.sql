-- Approval workflows (versioned per tenant), held requests routed to a chain of
-- tiers, and the votes of approvers. Requests keep the tiers of the workflow version
-- they started with.

CREATE TABLE "approval_workflow_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_workflow_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "approval_workflow_versions_tenant_id_version_key" ON "approval_workflow_versions"("tenant_id", "version");
ALTER TABLE approval_workflow_versions ADD CONSTRAINT approval_workflow_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

ALTER TABLE "approval_requests"
    ADD COLUMN "workflow_version" INTEGER,
    ADD COLUMN "route_id" TEXT,
    ADD COLUMN "route_name" TEXT,
    ADD COLUMN "tiers" JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN "tier" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "tier_started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ADD COLUMN "deadline_at" TIMESTAMPTZ(3),
    ADD COLUMN "warn_at" TIMESTAMPTZ(3),
    ADD COLUMN "warned_at" TIMESTAMPTZ(3),
    ADD COLUMN "safety_class" TEXT,
    ADD COLUMN "amount" BIGINT,
    ADD COLUMN "currency" TEXT,
    ADD COLUMN "counterparty" TEXT,
    ADD COLUMN "tags" TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN "executed_at" TIMESTAMPTZ(3),
    ADD COLUMN "outcome" JSONB;
CREATE INDEX "approval_requests_tenant_id_status_deadline_at_idx" ON "approval_requests"("tenant_id", "status", "deadline_at");
CREATE INDEX "approval_requests_pending_deadline_idx" ON "approval_requests"("deadline_at") WHERE "status" = 'pending';

CREATE TABLE "approval_votes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "tier" INTEGER NOT NULL,
    "approver" TEXT NOT NULL,
    "vote" TEXT NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_votes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "approval_votes_vote_check" CHECK ("vote" IN ('approve', 'deny'))
);
CREATE UNIQUE INDEX "approval_votes_request_id_tier_approver_key" ON "approval_votes"("request_id", "tier", "approver");
CREATE INDEX "approval_votes_tenant_id_request_id_idx" ON "approval_votes"("tenant_id", "request_id");
ALTER TABLE approval_votes ADD CONSTRAINT approval_votes_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE approval_votes ADD CONSTRAINT approval_votes_request_fkey FOREIGN KEY (request_id) REFERENCES approval_requests(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('approval_workflow_versions');
SELECT enable_tenant_rls('approval_votes');
-- Versions and votes are append-only for the app.
GRANT SELECT, INSERT ON approval_workflow_versions TO agent_fabric_app;
GRANT SELECT, INSERT ON approval_votes TO agent_fabric_app;
