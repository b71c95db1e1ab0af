// The gate's tenant step reads what it needs in one statement of one read-only
// transaction: the run (is it this tenant's, has it read untrusted content),
// whether the tool is turned off here, and the tenant's composition. Plain SQL
// on the tenant-scoped runner, so Row Level Security applies as everywhere; the
// explicit tenant filters stay. Through Prisma these were three queries in an
// interactive transaction, the largest cost of a decision after the tool itself.
import { sqlLiteral, withTenantOneTrip } from "@/server/db";
import type { TDeploymentMode } from "@/server/env";
import { isUuid } from "@/server/validation";
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

export async function loadCallState(tenantId: string, runId: string, tool: string, mode: TDeploymentMode): Promise<TCallState> {
  // A run id that is no UUID names no run of this tenant (and must not reach the ::uuid cast).
  const runUuid = isUuid(runId) ? runId : null;
  // One round trip (withTenantOneTrip), one short statement (gate_call_state, planned
  // once per connection); every value is a validated UUID or a quoted literal.
  const result = await withTenantOneTrip<TStateRow>(
    tenantId,
    `SELECT * FROM gate_call_state(${sqlLiteral(tenantId)}::uuid, ${runUuid ? `${sqlLiteral(runUuid)}::uuid` : "NULL"}, ${sqlLiteral(tool)})`,
    { readOnly: true },
  );
  const row = result.rows[0];
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
      mode,
      row.tenant_packs ?? [],
    ),
  };
}
