-- Policy packs take the shape every versioned kind has (server/recovery/versioned.ts):
-- the pack row carries its current version and text and who changed it last; the
-- versions table records every change, deletes and restores included (is_deleted),
-- under the same column names as the other kinds' (actor). A deletion's line is
-- history only: compositions and approval tiers pin versions that are not deletions.
ALTER TABLE policy_packs ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE policy_packs ADD COLUMN "text" TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_packs ADD COLUMN "updated_by" TEXT;
ALTER TABLE policy_packs ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- The backfill reads and writes every tenant's rows: Row Level Security is forced on
-- these tables for their owner too, so it is lifted for this transaction only.
ALTER TABLE policy_packs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE policy_pack_versions NO FORCE ROW LEVEL SECURITY;
UPDATE policy_packs p
   SET version = v.version, text = v.text, updated_by = coalesce(p.deleted_by, v.created_by),
       updated_at = greatest(v.created_at, coalesce(p.deleted_at, v.created_at))
  FROM (SELECT DISTINCT ON (pack_id) pack_id, version, text, created_by, created_at
          FROM policy_pack_versions ORDER BY pack_id, version DESC) v
 WHERE v.pack_id = p.id;
UPDATE policy_packs SET updated_by = created_by WHERE updated_by IS NULL;
ALTER TABLE policy_packs FORCE ROW LEVEL SECURITY;
ALTER TABLE policy_pack_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE policy_packs ALTER COLUMN "updated_by" SET NOT NULL;
ALTER TABLE policy_packs ALTER COLUMN "version" DROP DEFAULT;
ALTER TABLE policy_packs ALTER COLUMN "text" DROP DEFAULT;

ALTER TABLE policy_pack_versions RENAME COLUMN "created_by" TO "actor";
ALTER TABLE policy_pack_versions ADD COLUMN "is_deleted" BOOLEAN NOT NULL DEFAULT false;

-- As for the other kinds: the app deletes a pack only once it is in the Trash (the purge).
CREATE POLICY delete_only_trashed ON policy_packs AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);
