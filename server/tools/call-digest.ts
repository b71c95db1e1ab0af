// The digest that binds an approval (and a provider's idempotency key) to exactly
// one call: its run, tool and arguments, as canonical JSON. A leaf, shared by the
// gate and the tools that need it, so neither imports the other for it.
import { createHash } from "node:crypto";
import { canonicalJson } from "@/server/events/hash";

export function callDigest(call: { runId: string; tool: string; args: unknown }): string {
  return createHash("sha256")
    .update(canonicalJson({ runId: call.runId, tool: call.tool, args: call.args ?? null }))
    .digest("hex");
}
