-- Foreign keys between tenant tables carry the tenant: (tenant_id, x_id) references
-- (tenant_id, id). A single-column key let a row point at another tenant's row at
-- SQL level (RLS does not apply to the key check), and its error said whether an
-- id existed elsewhere. With the tenant in the key, another tenant's id is simply
-- "not present", the same as an id that does not exist.
--
-- Done from the catalog, so every existing key is covered: for each foreign key
-- from a table with tenant_id to another table with tenant_id (not `tenants`),
-- the referenced table gets UNIQUE (tenant_id, <column>), and the key is
-- recreated over (tenant_id, <column>) with its actions. ON DELETE SET NULL
-- names its column (PostgreSQL 15+), so tenant_id is never nulled.
-- New migrations follow the same rule; server/db/foreign-keys.int.test.ts checks it.
DO $$
DECLARE
  fk record;
  unique_name text;
  on_delete text;
  on_update text;
BEGIN
  FOR fk IN
    SELECT c.conname, src.relname AS src_table, ref.relname AS ref_table,
           a.attname AS src_column, ra.attname AS ref_column, c.confdeltype, c.confupdtype
      FROM pg_constraint c
      JOIN pg_class src ON src.oid = c.conrelid
      JOIN pg_class ref ON ref.oid = c.confrelid
      JOIN pg_namespace n ON n.oid = src.relnamespace AND n.nspname = current_schema()
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
     WHERE c.contype = 'f'
       AND array_length(c.conkey, 1) = 1
       AND ref.relname <> 'tenants'
       AND a.attname <> 'tenant_id'
       AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.conrelid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
       AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.confrelid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
  LOOP
    unique_name := fk.ref_table || '_tenant_id_' || fk.ref_column || '_key';
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = unique_name) THEN
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (tenant_id, %I)', fk.ref_table, unique_name, fk.ref_column);
    END IF;
    on_delete := CASE fk.confdeltype
      WHEN 'c' THEN 'CASCADE'
      WHEN 'n' THEN format('SET NULL (%I)', fk.src_column)
      WHEN 'd' THEN format('SET DEFAULT (%I)', fk.src_column)
      WHEN 'r' THEN 'RESTRICT'
      ELSE 'NO ACTION' END;
    on_update := CASE fk.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END;
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', fk.src_table, fk.conname);
    EXECUTE format(
      'ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (tenant_id, %I) REFERENCES %I (tenant_id, %I) ON DELETE %s ON UPDATE %s',
      fk.src_table, fk.conname, fk.src_column, fk.ref_table, fk.ref_column, on_delete, on_update);
  END LOOP;
END $$;
