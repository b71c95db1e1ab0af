// A tenant's effective policy composition: its stored composition, or the
// default (every catalog pack), resolved to pack sources.
import type { TDeploymentMode } from "@/server/env";
import { catalogPack } from "@/server/policy/catalog";
import type { TComposition } from "@/server/policy/evaluate";

export type TPackRef = { name: string; version: number };

export const DEFAULT_PACKS: TPackRef[] = [
  { name: "baseline", version: 1 },
  // v2: thresholds in the transfer's own currency. Stored compositions keep the version they name.
  { name: "treasury", version: 2 },
  { name: "pii-strict", version: 1 },
  { name: "external-tools-untrusted", version: 1 },
  // Only shell.exec carries context.shell, and shell.exec exists only in self_hosted.
  { name: "shell-command-safety", version: 1 },
];

/**
 * The composition of a tenant that stored none. In saas, shell-command-safety is left
 * out: no shell tool can exist there, so the pack could never match, and evaluating its
 * policies on every call was a third of the policy step's time. A stored composition
 * that names it keeps it in either mode.
 */
export function defaultPacks(mode: TDeploymentMode): TPackRef[] {
  return mode === "saas" ? DEFAULT_PACKS.filter((ref) => ref.name !== "shell-command-safety") : DEFAULT_PACKS;
}

/** A pack version of the tenant's own, as stored (policy_pack_versions of a live pack). */
export type TTenantPackSource = { name: string; version: number; text: string };

/** A composition with its pack texts, and the refs that named no pack (the gate refuses then). */
export type TResolvedComposition = TComposition & { version: number; missingPacks: string[] };

/**
 * Pack refs to pack sources: catalog packs by name and version (their texts ship with
 * the app and equal the rows synced to catalog_pack_versions), else the tenant's own
 * packs as loaded by the caller.
 */
export function resolveComposition(
  refs: TPackRef[],
  overrides: { disabledPolicies?: string[]; tenantPolicies?: string } = {},
  tenantPacks: readonly TTenantPackSource[] = [],
): TComposition & { missingPacks: string[] } {
  const missingPacks: string[] = [];
  const packs = refs.flatMap((ref) => {
    const pack = catalogPack(ref.name, ref.version) ?? tenantPacks.find((own) => own.name === ref.name && own.version === ref.version);
    if (!pack) missingPacks.push(`${String(ref.name)} v${String(ref.version)}`);
    return pack ? [pack] : [];
  });
  return { packs, disabledPolicies: overrides.disabledPolicies ?? [], tenantPolicies: overrides.tenantPolicies ?? "", missingPacks };
}

export type TCompositionRow = { packs: unknown; disabledPolicies: string[]; tenantPolicies: string; version: number };

/** A stored composition row (or none: the mode's default) resolved to pack sources. */
export function compositionFromRow(
  row: TCompositionRow | null,
  mode: TDeploymentMode,
  tenantPacks: readonly TTenantPackSource[] = [],
): TResolvedComposition {
  if (!row) return { ...resolveComposition(defaultPacks(mode)), version: 0 };
  return {
    ...resolveComposition(refsOf(row), { disabledPolicies: row.disabledPolicies, tenantPolicies: row.tenantPolicies }, tenantPacks),
    version: row.version,
  };
}

function refsOf(row: { packs: unknown } | null): TPackRef[] {
  return Array.isArray(row?.packs) ? (row.packs as TPackRef[]) : [];
}
