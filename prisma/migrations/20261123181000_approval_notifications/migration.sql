-- Approval notifications: per tenant, which channels (a webhook and/or an SMTP
-- credential of the tenant) hear which events, and a delivery log that is also
-- the retry queue. No secret is stored here: credentials are referenced by id and
-- opened only for a delivery; `target` holds the URL's host or the recipients.

CREATE TABLE "approval_notification_settings" (
    "tenant_id" UUID NOT NULL,
    "webhook_credential_id" UUID,
    "email_credential_id" UUID,
    "email_to" TEXT[] NOT NULL DEFAULT '{}',
    "events" TEXT[] NOT NULL DEFAULT '{requested,sla_warning,decided}',
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_notification_settings_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "approval_notification_settings_events_check" CHECK ("events" <@ ARRAY['requested', 'sla_warning', 'decided']::TEXT[])
);
ALTER TABLE approval_notification_settings ADD CONSTRAINT approval_notification_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "approval_notifications" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "request_id" UUID,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "credential_id" UUID NOT NULL,
    "target" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "approval_notifications_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "approval_notifications_kind_check" CHECK ("kind" IN ('requested', 'sla_warning', 'decided')),
    CONSTRAINT "approval_notifications_channel_check" CHECK ("channel" IN ('webhook', 'email')),
    CONSTRAINT "approval_notifications_status_check" CHECK ("status" IN ('pending', 'sent', 'failed'))
);
CREATE INDEX "approval_notifications_tenant_id_created_at_idx" ON "approval_notifications"("tenant_id", "created_at" DESC);
-- The deliverer's scan: only rows still to send.
CREATE INDEX "approval_notifications_due_idx" ON "approval_notifications"("tenant_id", "next_attempt_at") WHERE "status" = 'pending';
ALTER TABLE approval_notifications ADD CONSTRAINT approval_notifications_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE approval_notifications ADD CONSTRAINT approval_notifications_request_fkey FOREIGN KEY (request_id) REFERENCES approval_requests(id) ON DELETE SET NULL;

SELECT enable_tenant_rls('approval_notification_settings');
SELECT enable_tenant_rls('approval_notifications');
-- The log is never deleted by the app (it goes with the tenant); rows only change status.
GRANT SELECT, INSERT, UPDATE ON approval_notification_settings TO agent_fabric_app;
GRANT SELECT, INSERT, UPDATE ON approval_notifications TO agent_fabric_app;
