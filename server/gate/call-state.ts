// The gate's tenant step reads what it needs in one statement of one read-only
// transaction: the run (is it this tenant's, has it read untrusted content),
// whether the tool is turned off here, and the tenant's composition generation.
// Plain SQL on the tenant-scoped runner, so Row Level Security applies as
// everywhere; the explicit tenant filters stay.
//
// Compiled compositions are cached and checked, never trusted. Every change to a
// tenant's composition, packs or pack versions bumps its generation in the same
// transaction (database triggers, migration 20261207100000). The statement is told
// the generation this process holds for the tenant, answers the current one, and
// sends the composition and the tenant's own pack texts only when they differ. The
// entry is reused only when the database's generation, the Cedar instance's
// generation and the deployment mode all match; otherwise the data the statement
// returned replaces it. So a policy edit is in force for the very next call in
// every process, and a steady-state call transfers no pack text.
import { type TSql, withTenantOneTrip } from "@/server/db";
import type { TDeploymentMode } from "@/server/env";
import { cedarGeneration } from "@/server/policy/cedar";
import { compileComposition, type TCompiled } from "@/server/policy/evaluate";
import { isUuid } from "@/server/validation";
import { compositionFromRow, type TResolvedComposition, type TTenantPackSource } from "./composition";

export type TCallState = {
  run: { isTainted: boolean } | null;
  isEnabled: boolean;
  composition: TResolvedComposition;
  /** Whether a live budget of the tenant could apply to this tool (else the budget step has nothing to do). */
  hasBudgets: boolean;
};

type TStateRow = {
  run_is_tainted: boolean | null;
  is_enabled: boolean | null;
  /** bigint: node-postgres hands it over as a string. */
  generation: string;
  has_composition: boolean;
  packs: unknown;
  disabled_policies: string[] | null;
  tenant_policies: string | null;
  version: number | null;
  tenant_packs: TTenantPackSource[] | null;
  has_budgets: boolean;
};

/** What a process keeps of a tenant's composition, and what it was made under. */
export type TCompositionEntry = {
  generation: string;
  cedarGeneration: number;
  mode: TDeploymentMode;
  composition: TResolvedComposition;
  /** Compiled on first use (the policy step), in the instance `cedarGeneration` names. */
  compiled: TCompiled | null;
};

/**
 * The per-process cache: tenant id -> its composition entry, least recently used
 * first (a Map keeps insertion order; a hit moves the entry to the end).
 */
export class CompositionCache {
  private readonly entries = new Map<string, TCompositionEntry>();

  constructor(readonly maxTenants: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry only if it was made under this Cedar instance and mode; the generation is the database's to confirm. */
  usable(tenantId: string, mode: TDeploymentMode, cedar: number): TCompositionEntry | null {
    const entry = this.entries.get(tenantId);
    if (!entry) return null;
    if (entry.mode !== mode || entry.cedarGeneration !== cedar) {
      this.entries.delete(tenantId);
      return null;
    }
    this.entries.delete(tenantId);
    this.entries.set(tenantId, entry);
    return entry;
  }

  set(tenantId: string, entry: TCompositionEntry): void {
    this.entries.delete(tenantId);
    this.entries.set(tenantId, entry);
    while (this.entries.size > this.maxTenants) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

const MAX_TENANTS = 10_000;
export const compositionCache = new CompositionCache(MAX_TENANTS);

// The entry each composition object came from, so the policy step compiles a tenant's
// composition once per entry instead of hashing its texts on every call.
const entryOf = new WeakMap<TResolvedComposition, TCompositionEntry>();

/**
 * The compiled set of a composition from loadCallState: the entry's, while it was
 * compiled in the live Cedar instance; else compiled (compileComposition's own
 * content cache applies) and kept on the entry. Throws what compileComposition throws.
 */
export function compiledComposition(composition: TResolvedComposition): TCompiled {
  const entry = entryOf.get(composition);
  if (entry?.compiled && entry.compiled.generation === cedarGeneration()) return entry.compiled;
  const compiled = compileComposition(composition);
  if (entry) entry.compiled = compiled;
  return compiled;
}

/** What the last loadCallState received, for tests: did the database send the composition? */
export const callStateStats = { compositionsReceived: 0, packTextsReceived: 0, cacheHits: 0 };

/**
 * The tenant step's statement, and how to read its row: sent on its own by
 * loadCallState, or with BEGIN of the transaction an internal tool's call runs in.
 */
export function callStateQuery(
  tenantId: string,
  runId: string,
  tool: string,
  mode: TDeploymentMode,
): { statement: TSql; interpret: (row: unknown) => TCallState } {
  // A run id that is no UUID names no run of this tenant (and must not reach the ::uuid cast).
  const runUuid = isUuid(runId) ? runId : null;
  const cedar = cedarGeneration();
  // Taken before the read and compared with what that read answers: an entry another
  // call replaced meanwhile is not mistaken for the one the database confirmed.
  const known = compositionCache.usable(tenantId, mode, cedar);
  const knownGeneration = known && /^\d+$/.test(known.generation) ? known.generation : null;
  // One short prepared statement (gate_call_state, planned once per connection).
  const statement: TSql = {
    name: "fabric_gate_call_state",
    text: "SELECT * FROM gate_call_state($1::uuid, $2::uuid, $3, $4::bigint)",
    values: [tenantId, runUuid, tool, knownGeneration],
  };
  const interpret = (value: unknown): TCallState => {
    const row = value as TStateRow | undefined;
    if (!row) throw new Error("the gate's tenant step returned no row");
    const generation = String(row.generation);
    let composition: TResolvedComposition;
    if (known && knownGeneration === generation) {
      callStateStats.cacheHits += 1;
      composition = known.composition;
    } else {
      callStateStats.compositionsReceived += 1;
      callStateStats.packTextsReceived += row.tenant_packs?.length ?? 0;
      composition = resolvedFromRow(row, mode);
      const entry: TCompositionEntry = { generation, cedarGeneration: cedar, mode, composition, compiled: null };
      entryOf.set(composition, entry);
      compositionCache.set(tenantId, entry);
    }
    return {
      run: row.run_is_tainted === null ? null : { isTainted: row.run_is_tainted },
      isEnabled: row.is_enabled ?? true,
      composition,
      hasBudgets: row.has_budgets,
    };
  };
  return { statement, interpret };
}

/** The tenant step's read in a read-only transaction of its own: one round trip. */
export async function loadCallState(tenantId: string, runId: string, tool: string, mode: TDeploymentMode): Promise<TCallState> {
  const query = callStateQuery(tenantId, runId, tool, mode);
  const result = await withTenantOneTrip<TStateRow>(tenantId, query.statement, { readOnly: true });
  return query.interpret(result.rows[0]);
}

function resolvedFromRow(row: TStateRow, mode: TDeploymentMode): TResolvedComposition {
  const composition = compositionFromRow(
    row.has_composition
      ? {
          packs: row.packs,
          disabledPolicies: row.disabled_policies ?? [],
          tenantPolicies: row.tenant_policies ?? "",
          version: row.version ?? 0,
        }
      : null,
    mode,
    row.tenant_packs ?? [],
  );
  // Shared by every call until the generation moves: nothing may change it in place.
  // Frozen sources also let compileComposition keep their hashes (evaluate.ts).
  for (const pack of composition.packs) Object.freeze(pack);
  Object.freeze(composition.packs);
  Object.freeze(composition.missingPacks);
  if (composition.disabledPolicies) Object.freeze(composition.disabledPolicies);
  return Object.freeze(composition);
}
