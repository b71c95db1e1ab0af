-- The names a tenant has known its members by, kept when they leave. Users are
-- platform rows that a tenant sees only while they are its members (RLS on
-- users), so history that names people ("user:<id>" on votes, versions, runs)
-- would show bare ids for someone who left. A trigger copies the email when a
-- membership is made (and when the email changes while a member); the row stays
-- after the membership is removed.
CREATE TABLE "member_names" (
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "member_names_pkey" PRIMARY KEY ("tenant_id", "user_id")
);
ALTER TABLE "member_names" ADD CONSTRAINT "member_names_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
SELECT enable_tenant_rls('member_names');
GRANT SELECT ON member_names TO agent_fabric_app;
-- The trigger writes as the owner (SECURITY DEFINER); FORCE binds the owner too.
DO $$ BEGIN
  EXECUTE format('CREATE POLICY owner_all ON member_names TO %I USING (true) WITH CHECK (true)', current_user);
END $$;

CREATE FUNCTION remember_member_name() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  INSERT INTO member_names (tenant_id, user_id, email, name)
    SELECT NEW.tenant_id, u.id, u.email, u.name FROM users u WHERE u.id = NEW.user_id
  ON CONFLICT (tenant_id, user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, updated_at = now();
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION remember_member_name() FROM PUBLIC;
CREATE TRIGGER remember_member_name AFTER INSERT ON "memberships" FOR EACH ROW EXECUTE FUNCTION remember_member_name();

-- A member's new email or name reaches every tenant they are a member of.
CREATE FUNCTION refresh_member_names() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF NEW.email IS DISTINCT FROM OLD.email OR NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE member_names n SET email = NEW.email, name = NEW.name, updated_at = now()
      FROM memberships m WHERE m.user_id = NEW.id AND n.tenant_id = m.tenant_id AND n.user_id = NEW.id;
  END IF;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION refresh_member_names() FROM PUBLIC;
CREATE TRIGGER refresh_member_names AFTER UPDATE ON "users" FOR EACH ROW EXECUTE FUNCTION refresh_member_names();

-- Today's members, read past memberships' forced RLS for this one statement.
ALTER TABLE "memberships" NO FORCE ROW LEVEL SECURITY;
INSERT INTO member_names (tenant_id, user_id, email, name)
  SELECT m.tenant_id, u.id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
  ON CONFLICT DO NOTHING;
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;
