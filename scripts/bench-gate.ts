// The Tool Policy Gate's figures for `npm run bench` (scripts/bench.ts calls
// benchGate once the database is migrated and the environment is set):
//
//   policy step alone: PII detection, policy fields, compileComposition (cached)
//     and Cedar's decide, in process, over a mix of calls for 8 tenants
//   whole pipeline: runGate against PostgreSQL, 8 tenants, 16 concurrent callers
//     (registry → tenant → policy → budget → approval → execute → record)
//   budgets (scripts/bench-budgets.ts): the pipeline with two budgets on every call
//     against none, and reservations/s
//   memory.set against its own SQL (scripts/bench-memory-set.ts): the same tenants,
//     every call an executed memory.set, beside pgbench running that call's SQL
//
// Server modules are imported inside benchGate, after bench.ts has set
// the environment (DATABASE_URL, MASTER_KEYS…). The pipeline runs before the policy
// step: the other way round, Node 20.20's V8 aborted the process ("unreachable
// code" in the deoptimizer) when decide, optimized over 50,000 in-process calls,
// was deoptimized by the pipeline's first calls.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { TGateCall } from "../server/gate/types";
import type { TComposition, TPolicyRequest, TPrincipal } from "../server/policy/evaluate";
import type { TSafetyClass } from "../server/policy/schema";
import { benchBudgets } from "./bench-budgets";
import { benchMemorySet } from "./bench-memory-set";

export type TBenchResult = { name: string; value: number; unit: string; detail?: string; rounds?: Record<string, number>[] };

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

type TLatency = { rate: number; p50: number; p99: number; count: number };

function summarize(latencies: number[], seconds: number): TLatency {
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

const TENANTS = 8;
const CALLERS_PER_TENANT = 2;
const KEYS_PER_CALLER = 25;

/**
 * Each tenant runs what the demo tenants run (every catalog pack, memory.delete
 * held) plus one policy of its own, so the 8 compositions are 8 distinct
 * pre-parsed policy sets, as they would be in production.
 */
function tenantPolicies(index: number, holdMemoryDelete: string): string {
  const cap = (index + 1) * 500_000;
  return `${holdMemoryDelete}

@id("transfer-cap")
@reason("transfers above the tenant's cap are refused")
forbid (principal, action == Action::"payments.transfer", resource)
when { context has amount && context.amount > ${cap} };`;
}

const COUNTERPARTIES = ["Northwind Supplies", "Initech", "Umbrella Ltd", "Stark Industries"];
const MESSAGES = [
  "The invoice is paid, see you Friday.",
  "Please call me back on +44 20 7946 0958.",
  "Send the contract to jane.doe@example.com today.",
  "Refund to card 4111 1111 1111 1111 is done.",
  "Our IBAN is DE89 3704 0044 0532 0130 00.",
];

/** The policy step's input as the gate builds it, for tools the gate may register (payments, messages) and the memory tools. */
function policyCall(i: number): { action: string; args: Record<string, unknown>; safetyClass: TSafetyClass; tainted: boolean } {
  const tainted = i % 7 === 0;
  switch (i % 6) {
    case 0:
      return {
        action: "memory.set",
        args: { key: `note-${i % 40}`, value: "the supplier ships on Mondays" },
        safetyClass: "write_internal",
        tainted,
      };
    case 1:
      return { action: "memory.delete", args: { key: `note-${i % 40}` }, safetyClass: "destructive", tainted };
    case 2:
    case 3: {
      const counterparty = COUNTERPARTIES[i % COUNTERPARTIES.length] ?? "Initech";
      return {
        action: "payments.transfer",
        args: { amount: [4_200, 95_000, 250_000, 1_800_000][i % 4], currency: "EUR", counterparty, reference: `INV-${i % 1000}` },
        safetyClass: "financial",
        tainted,
      };
    }
    default:
      return {
        action: "message.send",
        args: { to: "customer", text: MESSAGES[i % MESSAGES.length] ?? "" },
        safetyClass: "external_side_effect",
        tainted,
      };
  }
}

/**
 * The policy step alone. `isEveryRequestNew` gives every call its own principal, so no
 * decision kept on the compiled set answers it (server/policy/evaluate.ts): Cedar's
 * own cost, the worst case.
 */
async function policyStep(compositions: { tenantId: string; composition: TComposition }[], calls: number, isEveryRequestNew = false) {
  const { compileComposition, decide } = await import("../server/policy/evaluate");
  const { detectPii } = await import("../server/gate/pii");
  const principals: TPrincipal[] = [
    { type: "User", id: randomUUID(), role: "member" },
    { type: "User", id: randomUUID(), role: "viewer" },
    { type: "Agent", id: randomUUID() },
  ];
  const known = new Set(COUNTERPARTIES.slice(0, 2));
  const inputs = Array.from({ length: 997 }, (_, i) => policyCall(i));
  const effects = { allow: 0, deny: 0, require_approval: 0 };

  const once = (i: number): void => {
    const { tenantId, composition } = compositions[i % compositions.length] as (typeof compositions)[number];
    const input = inputs[i % inputs.length] as (typeof inputs)[number];
    const args = input.args;
    const principal = principals[i % principals.length] as TPrincipal;
    const request: TPolicyRequest = {
      principal: isEveryRequestNew ? { ...principal, id: `${principal.id}-${i}` } : principal,
      action: input.action,
      tenantId,
      context: {
        safetyClass: input.safetyClass,
        tainted: input.tainted,
        tags: [],
        pii: detectPii(args),
        ...(input.action === "payments.transfer"
          ? {
              amount: args.amount as number,
              currency: args.currency as string,
              counterparty: args.counterparty as string,
              knownCounterparty: known.has(args.counterparty as string),
            }
          : {}),
      },
    };
    effects[decide(compileComposition(composition), request).effect] += 1;
  };

  for (let i = 0; i < 2_000; i += 1) once(i); // warm-up: every composition pre-parsed, the JIT warm
  effects.allow = effects.deny = effects.require_approval = 0;
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i += 1) {
    const t0 = performance.now();
    once(i);
    latencies.push(performance.now() - t0);
  }
  return { ...summarize(latencies, (performance.now() - started) / 1000), effects };
}

/**
 * What the 16 callers send: mostly allowed memory calls, some refusals, a few
 * holds. Each caller writes its own keys: two concurrent first writes of one key
 * race in memory.set, which is not what this measures.
 */
function pipelineCall(i: number, caller: number, member: TPrincipal, viewer: TPrincipal): Pick<TGateCall, "tool" | "args" | "principal"> {
  const key = `note-${caller}-${i % KEYS_PER_CALLER}`;
  switch (i % 20) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return { principal: member, tool: "memory.set", args: { key, value: `the supplier ships on Mondays (${i})` } };
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
      return { principal: member, tool: "memory.get", args: { key } };
    case 11:
    case 12:
    case 13:
      return { principal: member, tool: "memory.search", args: { query: "supplier" } };
    case 14:
      return { principal: member, tool: "crm.export_everything", args: { format: "csv" } };
    case 15:
      return { principal: member, tool: "shell.exec", args: { command: "cat /etc/passwd" } };
    case 16:
      return { principal: member, tool: "fs.read", args: { path: "../../other-tenant/secrets" } };
    case 17:
      return { principal: viewer, tool: "memory.get", args: { key } };
    case 18:
      return { principal: member, tool: "memory.set", args: { key: "", value: "no key" } };
    default:
      // memory.delete is held for approval by the tenant's composition: one call in 20 creates an approval request.
      return { principal: member, tool: "memory.delete", args: { key } };
  }
}

async function pipeline(
  tenants: { tenantId: string; runIds: string[]; member: TPrincipal; viewer: TPrincipal }[],
  options: { seconds: number; offset: number },
) {
  const { runGateWith } = await import("../server/gate/pipeline");
  (await import("../server/plugins")).installPlugins();
  // saas whatever the environment says: the mix counts on shell.exec and fs.read being refused.
  const { toolRegistry } = await import("../server/tools/catalog");
  const registry = await toolRegistry("saas");
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    tenants.flatMap(({ tenantId, runIds, member, viewer }) =>
      runIds.map(async (runId, worker) => {
        for (let i = options.offset + worker * 7; performance.now() < deadline; i += 1) {
          const t0 = performance.now();
          const outcome = await runGateWith(registry, { tenantId, runId, ...pipelineCall(i, worker, member, viewer) });
          latencies.push(performance.now() - t0);
          statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
        }
      }),
    ),
  );
  return { ...summarize(latencies, (performance.now() - started) / 1000), statuses };
}

function mix(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0) || 1;
  return Object.entries(counts)
    .map(([name, count]) => `${Math.round((100 * count) / total)}% ${name}`)
    .join(", ");
}

export async function benchGate(
  log: (result: TBenchResult) => void,
  options: { seconds?: number; policyCalls?: number; memorySetOnly?: boolean } = {},
) {
  const { platform } = await import("../server/db/platform");
  const { withTenant } = await import("../server/db");
  const { defaultPacks, resolveComposition } = await import("../server/gate/composition");
  // The default a saas tenant gets (the bench runs the saas registry).
  const packs = defaultPacks("saas");
  const { HOLD_MEMORY_DELETE } = await import("./lib/seed");
  const seconds = options.seconds ?? 10;
  const policyCalls = options.policyCalls ?? 50_000;

  const tenants = await Promise.all(
    Array.from({ length: TENANTS }, async (_, index) => {
      const tenantId = randomUUID();
      const policies = tenantPolicies(index, HOLD_MEMORY_DELETE);
      await platform.run((db) => db.tenant.create({ data: { id: tenantId, slug: `bench-gate-${tenantId.slice(0, 8)}`, name: "Bench" } }));
      const runIds = await withTenant(tenantId, async (db) => {
        await db.policyComposition.create({ data: { tenantId, packs, tenantPolicies: policies } });
        const runs = [];
        for (let caller = 0; caller < CALLERS_PER_TENANT; caller += 1)
          runs.push(await db.run.create({ data: { tenantId, title: `bench caller ${caller}`, principal: "user:bench" } }));
        return runs.map((run) => run.id);
      });
      return {
        tenantId,
        runIds,
        composition: resolveComposition(packs, { tenantPolicies: policies }),
        member: { type: "User", id: randomUUID(), role: "member" } as TPrincipal,
        viewer: { type: "User", id: randomUUID(), role: "viewer" } as TPrincipal,
      };
    }),
  );

  if (options.memorySetOnly) {
    await benchMemorySet(log, tenants, { seconds });
    return;
  }
  await pipeline(tenants, { seconds: Math.min(2, seconds), offset: 0 }); // warm-up: connections, prepared statements, JIT
  const whole = await pipeline(tenants, { seconds, offset: 1_000 });
  log({
    name: "gate whole pipeline, 8 tenants, 16 concurrent callers",
    value: whole.rate,
    unit: "decisions/s",
    detail: `p50 ${whole.p50.toFixed(1)} ms, p99 ${whole.p99.toFixed(1)} ms; ${whole.count.toLocaleString("en")} calls: ${mix(whole.statuses)}`,
  });

  await benchBudgets(log, tenants, pipeline, { seconds });

  await benchMemorySet(log, tenants, { seconds });

  const policy = await policyStep(tenants, policyCalls);
  log({
    name: "gate policy step alone, decisions/s (1 core, 8 tenants)",
    value: policy.rate,
    unit: "decisions/s",
    detail: `p50 ${(policy.p50 * 1000).toFixed(0)} µs, p99 ${(policy.p99 * 1000).toFixed(0)} µs; ${mix(policy.effects)}`,
  });
  log({ name: "gate policy step alone, p99", value: policy.p99, unit: "ms", detail: `p50 ${policy.p50.toFixed(3)} ms` });
  const cold = await policyStep(tenants, policyCalls, true);
  log({
    name: "gate policy step, every request new (Cedar each time)",
    value: cold.rate,
    unit: "decisions/s",
    detail: `p50 ${(cold.p50 * 1000).toFixed(0)} µs, p99 ${(cold.p99 * 1000).toFixed(0)} µs`,
  });
}
