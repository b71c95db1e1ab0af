// 6. execute: the tool runs with the tenant from the call (never from the plan),
//    a time limit, an output cap, the secrets it opens scrubbed from what it returns
//    or throws, and the run marked tainted when the tool reads untrusted content.
//    A tool that runs further calls (workflow steps) gets `gate` in its context:
//    the same gate, same run, same principal. An internal tool gets `tx`, the record
//    step's transaction, for its effect.
import { scrubText, scrubValue, withSecretScope } from "@/server/credentials/scope";
import { withTenant, type TenantDb } from "@/server/db";
import type { TAnyTool, TNestedGate, TToolTransaction } from "@/server/tools/types";
import { principalId } from "../principal";
import type { TGateCall, TGateDecision, TGateOutcome } from "../types";

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function executeStep(
  tool: TAnyTool,
  call: TGateCall,
  args: unknown,
  decision: TGateDecision,
  nested: TNestedGate,
  tx?: TToolTransaction,
): Promise<TGateOutcome> {
  const secrets = new Set<string>();
  try {
    const result = scrubValue(
      await withSecretScope(secrets, () =>
        withTimeout(
          (signal) =>
            tool.execute(
              { tenantId: call.tenantId, runId: call.runId, principal: principalId(call.principal), signal, gate: nested, tx },
              args,
            ),
          tool.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ),
      ),
      secrets,
    );
    const size = Buffer.byteLength(JSON.stringify(result ?? null));
    const maxBytes = tool.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    if (tool.readsUntrustedContent) {
      const taint = (db: TenantDb) => db.run.update({ where: { id: call.runId }, data: { isTainted: true } });
      await (tx ? taint(tx.db) : withTenant(call.tenantId, taint));
    }
    if (size > maxBytes)
      return { status: "executed", decision, result: { truncated: true, bytes: size, note: `output over ${maxBytes} bytes was dropped` } };
    return { status: "executed", decision, result };
  } catch (error) {
    return { status: "failed", decision, error: scrubText(error instanceof Error ? error.message : "the tool failed", secrets) };
  }
}
