-- Chat conversations; each user message starts a run of the conversation.
CREATE TABLE "conversations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "conversations_tenant_id_user_id_updated_at_idx" ON "conversations"("tenant_id", "user_id", "updated_at" DESC);
ALTER TABLE conversations ADD CONSTRAINT conversations_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE conversations ADD CONSTRAINT conversations_user_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE "runs" ADD COLUMN "conversation_id" UUID;
CREATE INDEX "runs_tenant_id_conversation_id_started_at_idx" ON "runs"("tenant_id", "conversation_id", "started_at");
ALTER TABLE runs ADD CONSTRAINT runs_conversation_fkey FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE SET NULL;

SELECT enable_tenant_rls('conversations');
GRANT SELECT, INSERT, UPDATE ON conversations TO agent_fabric_app;
