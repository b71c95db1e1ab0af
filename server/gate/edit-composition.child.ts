// A second OS process for call-state.int.test.ts, started as `node --import tsx` with
// the test database's environment; never imported. It replaces a tenant's tenant
// policies through its own pool, as another server instance would, prints the
// generation its transaction committed and exits.
import { disconnect, withTenant } from "@/server/db";

async function main(): Promise<void> {
  const [tenantId, tenantPolicies] = process.argv.slice(2);
  if (!tenantId || tenantPolicies === undefined) throw new Error("usage: edit-composition.child.ts <tenantId> <tenantPolicies>");
  const generation = await withTenant(tenantId, async (db, { sql }) => {
    await db.policyComposition.update({ where: { tenantId }, data: { tenantPolicies } });
    const { rows } = await sql.query<{ generation: string }>("SELECT generation::text FROM policy_generations WHERE tenant_id = $1", [
      tenantId,
    ]);
    return rows[0]?.generation ?? "0";
  });
  process.stdout.write(`${JSON.stringify({ generation })}\n`);
  await disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
