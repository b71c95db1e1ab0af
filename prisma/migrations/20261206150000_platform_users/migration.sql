-- Platform tables: the app role no longer writes them freely.
--
--  * The platform runner sets app.platform = 'on' (transaction-local); only it may
--    insert or change tenants and change users' ordinary columns.
--  * users: RLS enabled and forced. A row is visible to the user themself
--    (app.user_id), to the current tenant for its members, and to the platform.
--    The app role cannot read password_hash nor write is_operator,
--    password_hash or session_version: those go through SECURITY DEFINER
--    functions below, each checking its own precondition.
--  * platform_audit: every change to a platform row (by trigger) and every
--    operator action (by the platform runner). Insert-only for the app role.
--  * session_version: a signed session carries it; bumping it ends sessions.
--  * password_resets: one-time reset tokens (SHA-256 only), definer-only.
--  * auth_throttles: rate-limiter-flexible's store for sign-in throttling.

CREATE FUNCTION current_platform() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;

-- Who acts, for platform_audit: a label, not an authority (the runners set it).
CREATE FUNCTION current_actor() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(
    nullif(current_setting('app.actor', true), ''),
    'user:' || current_app_user_id()::text,
    CASE WHEN current_platform() THEN 'platform' ELSE 'anonymous' END) $$;

ALTER TABLE "users" ADD COLUMN "session_version" INTEGER NOT NULL DEFAULT 0;

-- Who acted, stored when the entry is written: the name survives the actor
-- leaving the tenant (users of other tenants are not visible to this one).
ALTER TABLE "audit_logs" ADD COLUMN "actor_email" TEXT;

CREATE TABLE "platform_audit" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "actor" TEXT NOT NULL DEFAULT current_actor(),
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "platform_audit_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "platform_audit_created_at_idx" ON "platform_audit"("created_at" DESC);

CREATE TABLE "password_resets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "password_resets_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "password_resets_token_hash_key" ON "password_resets"("token_hash");
CREATE INDEX "password_resets_user_id_idx" ON "password_resets"("user_id");
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The layout rate-limiter-flexible's RateLimiterPostgres expects (keys are hashes).
CREATE TABLE "auth_throttles" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,
    CONSTRAINT "auth_throttles_pkey" PRIMARY KEY ("key")
);

-- ---------------------------------------------------------------------------
-- Grants. Start from nothing on the platform tables, then add back.
-- ---------------------------------------------------------------------------
REVOKE ALL ON "tenants", "users", "accounts", "sessions", "verification_tokens" FROM agent_fabric_app;

GRANT SELECT, INSERT, UPDATE ON "tenants" TO agent_fabric_app;  -- writes: platform only (RLS below)
GRANT SELECT ("id", "email", "name", "is_operator", "email_verified", "created_at", "updated_at", "session_version")
  ON "users" TO agent_fabric_app;
GRANT UPDATE ("name", "email_verified", "updated_at") ON "users" TO agent_fabric_app;
GRANT SELECT, INSERT ON "platform_audit" TO agent_fabric_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "auth_throttles" TO agent_fabric_app;
-- next-auth's own tables stay unused by the credentials provider: no grants.

-- ---------------------------------------------------------------------------
-- Row Level Security on the platform tables. The owner role (migrations and
-- the SECURITY DEFINER functions, which run as it) gets its own permissive
-- policy, since FORCE applies to the owner too.
-- ---------------------------------------------------------------------------
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'users', 'platform_audit', 'password_resets'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END
$$;

-- Everyone reads tenants (a slug is resolved before membership is checked);
-- only the platform runner writes them.
CREATE POLICY tenants_read ON "tenants" FOR SELECT TO agent_fabric_app USING (true);
CREATE POLICY tenants_insert ON "tenants" FOR INSERT TO agent_fabric_app WITH CHECK (current_platform());
CREATE POLICY tenants_update ON "tenants" FOR UPDATE TO agent_fabric_app USING (current_platform()) WITH CHECK (current_platform());

CREATE POLICY users_read ON "users" FOR SELECT TO agent_fabric_app USING (
  "id" = current_app_user_id()
  OR current_platform()
  OR EXISTS (SELECT 1 FROM "memberships" m WHERE m."user_id" = "users"."id" AND m."tenant_id" = current_tenant_id())
);
CREATE POLICY users_update ON "users" FOR UPDATE TO agent_fabric_app
  USING ("id" = current_app_user_id() OR current_platform())
  WITH CHECK ("id" = current_app_user_id() OR current_platform());

CREATE POLICY platform_audit_insert ON "platform_audit" FOR INSERT TO agent_fabric_app WITH CHECK (true);
CREATE POLICY platform_audit_read ON "platform_audit" FOR SELECT TO agent_fabric_app USING (current_platform());

-- ---------------------------------------------------------------------------
-- Every change to a platform row lands in platform_audit. Values of secrets
-- (password_hash) are never copied: only the fact that the column changed.
-- ---------------------------------------------------------------------------
CREATE FUNCTION platform_audit_row() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  before jsonb := CASE WHEN TG_OP = 'INSERT' THEN '{}'::jsonb ELSE to_jsonb(OLD) END;
  after jsonb := CASE WHEN TG_OP = 'DELETE' THEN '{}'::jsonb ELSE to_jsonb(NEW) END;
  changed jsonb := '{}'::jsonb;
  k text;
BEGIN
  FOR k IN SELECT jsonb_object_keys(before || after) LOOP
    CONTINUE WHEN k IN ('updated_at', 'created_at') OR before -> k IS NOT DISTINCT FROM after -> k;
    changed := changed || jsonb_build_object(k, CASE WHEN k = 'password_hash' THEN to_jsonb('(changed)'::text) ELSE after -> k END);
  END LOOP;
  IF TG_OP = 'UPDATE' AND changed = '{}'::jsonb THEN
    RETURN NULL;
  END IF;
  INSERT INTO platform_audit (action, target_type, target_id, data)
  VALUES (TG_TABLE_NAME || '.' || lower(TG_OP), TG_TABLE_NAME, coalesce(after ->> 'id', before ->> 'id'), jsonb_build_object('changed', changed));
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION platform_audit_row() FROM PUBLIC;

CREATE TRIGGER platform_audit_row AFTER INSERT OR UPDATE OR DELETE ON "tenants" FOR EACH ROW EXECUTE FUNCTION platform_audit_row();
CREATE TRIGGER platform_audit_row AFTER INSERT OR UPDATE OR DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION platform_audit_row();

-- The actor's email, copied when the audit entry is written (the app role may
-- not see users outside the tenant, and a member who left is outside it).
CREATE FUNCTION audit_logs_actor_email() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF NEW.actor_user_id IS NOT NULL THEN
    NEW.actor_email := (SELECT u.email FROM users u WHERE u.id = NEW.actor_user_id);
  ELSE
    NEW.actor_email := NULL;
  END IF;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION audit_logs_actor_email() FROM PUBLIC;
CREATE TRIGGER audit_logs_actor_email BEFORE INSERT ON "audit_logs" FOR EACH ROW EXECUTE FUNCTION audit_logs_actor_email();
UPDATE "audit_logs" a SET "actor_email" = u."email" FROM "users" u WHERE u."id" = a."actor_user_id";

-- ---------------------------------------------------------------------------
-- SECURITY DEFINER functions: the only ways to the secret and privileged
-- columns. Each checks its own precondition; EXECUTE only for the app role.
-- ---------------------------------------------------------------------------

-- Sign-in: the credentials of one exact, normalised address (no patterns, no
-- listing). A user without a password (invited, not yet accepted) has none.
CREATE FUNCTION auth_credentials(p_email text)
  RETURNS TABLE (user_id uuid, password_hash text, session_version integer)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT u.id, u.password_hash, u.session_version
      FROM users u
     WHERE p_email = lower(btrim(p_email)) AND u.email = p_email AND u.password_hash IS NOT NULL
  $$;

-- The signed-in user's own hash, to check the current password before a change.
CREATE FUNCTION account_password_hash() RETURNS text
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF current_app_user_id() IS NULL THEN
    RAISE EXCEPTION 'account_password_hash needs the user''s own context' USING ERRCODE = '42501';
  END IF;
  RETURN (SELECT u.password_hash FROM users u WHERE u.id = current_app_user_id());
END
$$;

-- A new password for the signed-in user; every session ends (new version returned).
CREATE FUNCTION account_set_password(p_password_hash text) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v integer;
BEGIN
  IF current_app_user_id() IS NULL THEN
    RAISE EXCEPTION 'account_set_password needs the user''s own context' USING ERRCODE = '42501';
  END IF;
  IF p_password_hash !~ '^\$2[aby]\$1[0-9]\$.{53}$' THEN
    RAISE EXCEPTION 'account_set_password takes a bcrypt hash' USING ERRCODE = '22023';
  END IF;
  UPDATE users SET password_hash = p_password_hash, session_version = session_version + 1, updated_at = now()
   WHERE id = current_app_user_id() RETURNING session_version INTO v;
  DELETE FROM password_resets WHERE user_id = current_app_user_id() AND used_at IS NULL;
  RETURN v;
END
$$;

-- Sign out / sign out everywhere: every session issued before now stops working.
CREATE FUNCTION account_end_sessions() RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v integer;
BEGIN
  IF current_app_user_id() IS NULL THEN
    RAISE EXCEPTION 'account_end_sessions needs the user''s own context' USING ERRCODE = '42501';
  END IF;
  UPDATE users SET session_version = session_version + 1, updated_at = now()
   WHERE id = current_app_user_id() RETURNING session_version INTO v;
  RETURN v;
END
$$;

-- A reset request stores a token only for an account with a password; the
-- caller answers the same either way. Older unused tokens are dropped.
CREATE FUNCTION password_reset_request(p_email text, p_token_hash text, p_expires_at timestamptz) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  uid uuid;
BEGIN
  IF p_token_hash !~ '^[0-9a-f]{64}$' OR p_expires_at <= now() OR p_expires_at > now() + interval '2 hours' THEN
    RAISE EXCEPTION 'password_reset_request takes a SHA-256 token hash and a near expiry' USING ERRCODE = '22023';
  END IF;
  SELECT u.id INTO uid FROM users u WHERE u.email = lower(btrim(p_email)) AND u.password_hash IS NOT NULL;
  IF uid IS NULL THEN
    RETURN false;
  END IF;
  DELETE FROM password_resets WHERE user_id = uid AND used_at IS NULL;
  INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES (uid, p_token_hash, p_expires_at);
  RETURN true;
END
$$;

-- Completes a reset with an unused, unexpired token: new password, sessions end.
CREATE FUNCTION password_reset_complete(p_token_hash text, p_password_hash text) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  uid uuid;
BEGIN
  IF p_password_hash !~ '^\$2[aby]\$1[0-9]\$.{53}$' THEN
    RAISE EXCEPTION 'password_reset_complete takes a bcrypt hash' USING ERRCODE = '22023';
  END IF;
  UPDATE password_resets SET used_at = now()
   WHERE token_hash = p_token_hash AND used_at IS NULL AND expires_at > now()
   RETURNING user_id INTO uid;
  IF uid IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('app.actor', 'user:' || uid::text || ' (password reset)', true);
  UPDATE users SET password_hash = p_password_hash, session_version = session_version + 1, updated_at = now() WHERE id = uid;
  PERFORM set_config('app.actor', '', true);
  RETURN uid;
END
$$;

-- Invite by email: an admin or owner of the current tenant (or the platform)
-- learns whether an account exists for that address, to add it at once.
CREATE FUNCTION tenant_user_by_email(p_email text, p_actor uuid)
  RETURNS TABLE (user_id uuid, has_password boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF NOT current_platform() AND NOT EXISTS (
    SELECT 1 FROM memberships m
     WHERE m.tenant_id = current_tenant_id() AND m.user_id = p_actor AND m.role IN ('admin', 'owner')
  ) THEN
    RAISE EXCEPTION 'tenant_user_by_email needs an admin of the current tenant' USING ERRCODE = '42501';
  END IF;
  RETURN QUERY SELECT u.id, u.password_hash IS NOT NULL FROM users u WHERE u.email = lower(btrim(p_email));
END
$$;

-- The usable invitation of the current tenant with this token hash, or an error.
CREATE FUNCTION usable_invitation_email(p_token_hash text) RETURNS text
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  e text;
BEGIN
  SELECT i.email INTO e FROM invitations i JOIN tenants t ON t.id = i.tenant_id
   WHERE i.token_hash = p_token_hash AND i.tenant_id = current_tenant_id()
     AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now() AND t.status = 'active';
  IF e IS NULL THEN
    RAISE EXCEPTION 'no usable invitation in the current tenant' USING ERRCODE = '42501';
  END IF;
  RETURN e;
END
$$;
REVOKE ALL ON FUNCTION usable_invitation_email(text) FROM PUBLIC;

-- The account behind a usable invitation (if any), for the accept page.
CREATE FUNCTION invitation_account(p_token_hash text)
  RETURNS TABLE (user_id uuid, has_password boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  e text := usable_invitation_email(p_token_hash);
BEGIN
  RETURN QUERY SELECT u.id, u.password_hash IS NOT NULL FROM users u WHERE u.email = e;
END
$$;

-- Accepting an invitation as a new person: creates the account (or sets the
-- password of one that never had one). Refuses an account that has a password.
CREATE FUNCTION invitation_create_account(p_token_hash text, p_name text, p_password_hash text) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  e text := usable_invitation_email(p_token_hash);
  uid uuid;
  has_password boolean;
BEGIN
  IF p_password_hash !~ '^\$2[aby]\$1[0-9]\$.{53}$' THEN
    RAISE EXCEPTION 'invitation_create_account takes a bcrypt hash' USING ERRCODE = '22023';
  END IF;
  SELECT u.id, u.password_hash IS NOT NULL INTO uid, has_password FROM users u WHERE u.email = e FOR UPDATE;
  IF has_password THEN
    RAISE EXCEPTION 'this account already has a password: sign in to accept' USING ERRCODE = '42501';
  END IF;
  IF uid IS NULL THEN
    INSERT INTO users (email, name, password_hash, updated_at) VALUES (e, p_name, p_password_hash, now()) RETURNING id INTO uid;
  ELSE
    UPDATE users SET name = p_name, password_hash = p_password_hash, updated_at = now() WHERE id = uid;
  END IF;
  RETURN uid;
END
$$;

-- Platform runner only: create a user or restore one's password and operator
-- flag (the demo seed, tests, operator tooling).
CREATE FUNCTION platform_upsert_user(p_email text, p_name text, p_password_hash text, p_is_operator boolean) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  uid uuid;
BEGIN
  IF NOT current_platform() THEN
    RAISE EXCEPTION 'platform_upsert_user needs the platform runner' USING ERRCODE = '42501';
  END IF;
  IF p_password_hash IS NOT NULL AND p_password_hash !~ '^\$2[aby]\$1[0-9]\$.{53}$' THEN
    RAISE EXCEPTION 'platform_upsert_user takes a bcrypt hash' USING ERRCODE = '22023';
  END IF;
  INSERT INTO users (email, name, password_hash, is_operator, updated_at)
  VALUES (lower(btrim(p_email)), p_name, p_password_hash, p_is_operator, now())
  ON CONFLICT (email) DO UPDATE
    SET password_hash = EXCLUDED.password_hash, is_operator = EXCLUDED.is_operator, updated_at = now(),
        session_version = users.session_version
          + CASE WHEN users.password_hash IS DISTINCT FROM EXCLUDED.password_hash OR users.is_operator <> EXCLUDED.is_operator THEN 1 ELSE 0 END
  RETURNING id INTO uid;
  RETURN uid;
END
$$;

-- Platform runner only: grant or revoke the operator flag.
CREATE FUNCTION platform_set_operator(p_user_id uuid, p_is_operator boolean) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF NOT current_platform() THEN
    RAISE EXCEPTION 'platform_set_operator needs the platform runner' USING ERRCODE = '42501';
  END IF;
  UPDATE users SET is_operator = p_is_operator, updated_at = now() WHERE id = p_user_id;
END
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'auth_credentials(text)', 'account_password_hash()', 'account_set_password(text)', 'account_end_sessions()',
    'password_reset_request(text, text, timestamptz)', 'password_reset_complete(text, text)',
    'tenant_user_by_email(text, uuid)', 'invitation_account(text)', 'invitation_create_account(text, text, text)',
    'platform_upsert_user(text, text, text, boolean)', 'platform_set_operator(uuid, boolean)'
  ] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO agent_fabric_app', f);
  END LOOP;
END
$$;
