-- The tenant's model provider for its agent loop, and token usage per run.
CREATE TABLE "tenant_model_settings" (
    "tenant_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "base_url" TEXT,
    "model" TEXT,
    "api_key_sealed" JSONB,
    "api_key_last4" TEXT,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_model_settings_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "tenant_model_settings_provider_check" CHECK ("provider" IN ('scripted', 'openai_compatible', 'anthropic'))
);
ALTER TABLE tenant_model_settings ADD CONSTRAINT tenant_model_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

ALTER TABLE "runs" ADD COLUMN "planner" TEXT NOT NULL DEFAULT 'scripted',
    ADD COLUMN "input_tokens" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "output_tokens" INTEGER NOT NULL DEFAULT 0;

SELECT enable_tenant_rls('tenant_model_settings');
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_model_settings TO agent_fabric_app;
