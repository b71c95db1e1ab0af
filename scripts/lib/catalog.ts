// The catalog packs ship with the app (server/policy/catalog.ts) and are copied to
// catalog_pack_versions at migration time, as the owner. A version already there
// with a different text stops the migration: versions are immutable, a change to
// a catalog pack is a new version.
import pg from "pg";
import { CATALOG_PACKS } from "../../server/policy/catalog";

export async function syncCatalogPacks(ownerUrl: string): Promise<{ added: number }> {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  let added = 0;
  try {
    await owner.query("BEGIN");
    for (const pack of CATALOG_PACKS) {
      const { rows } = await owner.query<{ text: string }>("SELECT text FROM catalog_pack_versions WHERE name = $1 AND version = $2", [
        pack.name,
        pack.version,
      ]);
      const stored = rows[0];
      if (stored && stored.text !== pack.text)
        throw new Error(
          `Catalog pack ${pack.name} v${pack.version} differs from the one already stored. Versions are immutable: add ${pack.name} v${pack.version + 1} instead.`,
        );
      if (!stored) {
        await owner.query("INSERT INTO catalog_pack_versions (name, version, description, text) VALUES ($1, $2, $3, $4)", [
          pack.name,
          pack.version,
          pack.description,
          pack.text,
        ]);
        added += 1;
      }
    }
    await owner.query("COMMIT");
  } catch (error) {
    await owner.query("ROLLBACK");
    throw error;
  } finally {
    await owner.end();
  }
  return { added };
}
