-- API keys of agent approvers. Only the SHA-256 of a key is stored.
CREATE TABLE "agent_api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "agent_api_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "agent_api_keys_agent_id_check" CHECK ("agent_id" ~ '^[a-z0-9][a-z0-9._:-]{0,79}$'),
    CONSTRAINT "agent_api_keys_key_hash_check" CHECK ("key_hash" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "agent_api_keys_key_prefix_check" CHECK (char_length("key_prefix") = 8)
);
CREATE UNIQUE INDEX "agent_api_keys_tenant_id_key_hash_key" ON "agent_api_keys"("tenant_id", "key_hash");
CREATE INDEX "agent_api_keys_tenant_id_created_at_idx" ON "agent_api_keys"("tenant_id", "created_at");
ALTER TABLE agent_api_keys ADD CONSTRAINT agent_api_keys_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('agent_api_keys');
-- Keys are revoked (revoked_at), never deleted by the app, so their use stays attributable.
GRANT SELECT, INSERT, UPDATE ON agent_api_keys TO agent_fabric_app;
