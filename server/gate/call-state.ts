// The gate's tenant step reads what it needs in one statement of one read-only
// transaction: the run (is it this tenant's, has it read untrusted content),
// whether the tool is turned off here, and the tenant's composition. Plain SQL
// on the tenant-scoped runner, so Row Level Security applies as everywhere; the
// explicit tenant filters stay. Through Prisma these were three queries in an
// interactive transaction, the largest cost of a decision after the tool itself.
import { withTenantSql } from "@/server/db";
import { compositionFromRow, type TResolvedComposition, type TTenantPackSource } from "./composition";

export type TCallState = {
  run: { isTainted: boolean } | null;
  isEnabled: boolean;
  composition: TResolvedComposition;
};

type TStateRow = {
  run_is_tainted: boolean | null;
  is_enabled: boolean | null;
  packs: unknown;
  disabled_policies: string[] | null;
  tenant_policies: string | null;
  version: number | null;
  tenant_packs: TTenantPackSource[] | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadCallState(tenantId: string, runId: string, tool: string): Promise<TCallState> {
  // A run id that is no UUID names no run of this tenant (and must not reach the ::uuid cast).
  const runUuid = UUID.test(runId) ? runId : null;
  const row = await withTenantSql(
    tenantId,
    async (client) =>
      (
        await client.query<TStateRow>({
          // A named statement: parsed and planned once per connection (RLS still applies per execution).
          name: "gate-call-state-v2",
          text: `SELECT (SELECT r.is_tainted FROM runs r WHERE r.id = $2::uuid AND r.tenant_id = $1) AS run_is_tainted,
                        (SELECT s.is_enabled FROM tenant_tool_settings s WHERE s.tenant_id = $1 AND s.tool = $3) AS is_enabled,
                        p.packs, p.disabled_policies, p.tenant_policies, p.version,
                        -- The tenant's own packs the composition names (catalog texts ship with the app).
                        (SELECT json_agg(json_build_object('name', k.name, 'version', v.version, 'text', v.text))
                           FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.packs) = 'array' THEN p.packs ELSE '[]'::jsonb END) AS ref
                           JOIN policy_packs k ON k.tenant_id = $1 AND k.deleted_at IS NULL AND k.name = ref->>'name'
                           JOIN policy_pack_versions v ON v.tenant_id = $1 AND v.pack_id = k.id AND v.version::text = ref->>'version'
                        ) AS tenant_packs
                   FROM (SELECT 1) AS one
                   LEFT JOIN policy_compositions p ON p.tenant_id = $1`,
          values: [tenantId, runUuid, tool],
        })
      ).rows[0],
    { readOnly: true },
  );
  if (!row) throw new Error("the gate's tenant step returned no row");
  return {
    run: row.run_is_tainted === null ? null : { isTainted: row.run_is_tainted },
    isEnabled: row.is_enabled ?? true,
    composition: compositionFromRow(
      row.version === null
        ? null
        : {
            packs: row.packs,
            disabledPolicies: row.disabled_policies ?? [],
            tenantPolicies: row.tenant_policies ?? "",
            version: row.version,
          },
      row.tenant_packs ?? [],
    ),
  };
}
