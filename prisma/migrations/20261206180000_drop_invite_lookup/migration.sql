-- Inviting no longer asks whether an email has an account: every invitee is
-- invited and joins only by accepting (server/members/service.ts). The lookup told
-- a tenant admin which addresses have accounts; with no caller left, it goes.
DROP FUNCTION tenant_user_by_email(text, uuid);
