-- Export integrity: chained checkpoints and signed tree heads of the transparency log.

-- Checkpoints v2 sign the digest of the checkpoint before them (prev_seq, prev_digest),
-- so a removed checkpoint breaks the chain. Rows written before this migration stay
-- version 1: they keep verifying with the v1 message they were signed with, and the
-- first v2 checkpoint chains to the last of them. New rows always name their version.
ALTER TABLE "checkpoints" ADD COLUMN "version" SMALLINT NOT NULL DEFAULT 1,
  ADD COLUMN "prev_seq" BIGINT,
  ADD COLUMN "prev_digest" TEXT;
ALTER TABLE "checkpoints" ALTER COLUMN "version" DROP DEFAULT;
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_version_check"
  CHECK ("version" IN (1, 2) AND ("version" = 2 OR ("prev_seq" IS NULL AND "prev_digest" IS NULL))
         AND (("prev_seq" IS NULL) = ("prev_digest" IS NULL)));

-- CreateTable
CREATE TABLE "log_signing_keys" (
    "id" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "wrapped_data_key" JSONB NOT NULL,
    "private_key_sealed" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "log_signing_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transparency_tree_heads" (
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "frontier" JSONB NOT NULL,

    CONSTRAINT "transparency_tree_heads_pkey" PRIMARY KEY ("tree_size")
);

-- Platform tables (no tenant_id, no RLS), like transparency_log_entries: the app
-- creates the log's key on first use and appends signed heads; it never updates
-- or deletes either.
GRANT SELECT, INSERT ON log_signing_keys, transparency_tree_heads TO agent_fabric_app;
