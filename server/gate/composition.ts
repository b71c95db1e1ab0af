// A tenant's effective policy composition: its stored composition, or the
// default (every catalog pack), resolved to pack sources.
import type { TenantDb } from "@/server/db";
import { catalogPack } from "@/server/policy/catalog";
import type { TComposition } from "@/server/policy/evaluate";

export type TPackRef = { name: string; version: number };

export const DEFAULT_PACKS: TPackRef[] = [
  { name: "baseline", version: 1 },
  { name: "treasury", version: 1 },
  { name: "pii-strict", version: 1 },
  { name: "external-tools-untrusted", version: 1 },
];

export function resolveComposition(
  refs: TPackRef[],
  overrides: { disabledPolicies?: string[]; tenantPolicies?: string } = {},
): TComposition {
  const packs = refs.map((ref) => {
    const pack = catalogPack(ref.name, ref.version);
    if (!pack) throw new Error(`the composition names ${ref.name} v${ref.version}, which does not exist`);
    return pack;
  });
  return { packs, disabledPolicies: overrides.disabledPolicies ?? [], tenantPolicies: overrides.tenantPolicies ?? "" };
}

export async function loadComposition(db: TenantDb, tenantId: string): Promise<TComposition & { version: number }> {
  const row = await db.policyComposition.findUnique({ where: { tenantId } });
  if (!row) return { ...resolveComposition(DEFAULT_PACKS), version: 0 };
  return {
    ...resolveComposition(row.packs as TPackRef[], { disabledPolicies: row.disabledPolicies, tenantPolicies: row.tenantPolicies }),
    version: row.version,
  };
}
