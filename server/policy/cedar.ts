// The one door to Cedar. Cedar runs as a WebAssembly module with its own memory:
// a trap inside it (an out-of-bounds access after its stack overflowed, a Rust
// panic) leaves that memory in an unknown state, and every later call into the
// same instance fails — every tenant's policy decisions with it. So every call
// goes through `callCedar`: a call that throws (Cedar answers its own errors as
// values, it never throws by design) throws the instance away, the next call
// loads a fresh one, and the caller gets a CedarTrapError for this call only.
//
// Anything kept against an instance (pre-parsed policy sets) is keyed by the
// instance's generation: after a reset, it is rebuilt rather than trusted.
import type * as TCedarModule from "@cedar-policy/cedar-wasm/nodejs";
import path from "node:path";
import { logger } from "@/server/logger";

export type TCedar = typeof TCedarModule;

const MODULE = "@cedar-policy/cedar-wasm/nodejs";

export class CedarTrapError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`the policy engine failed while ${operation} and was restarted`, { cause });
    this.name = "CedarTrapError";
  }
}

type TInstance = { generation: number; cedar: TCedar };

let current: TInstance | null = null;
let generations = 0;

/**
 * A fresh copy of the module: its glue code instantiates the WebAssembly module
 * when it is evaluated, so evaluating it again (out of the require cache) gives a
 * new instance with new memory. The module is external to the Next bundle
 * (next.config.mjs), so it is loaded with Node's own require, resolved from the
 * project folder (the bundler does not see this require).
 */
function loadFresh(): TCedar {
  const { createRequire } = process.getBuiltinModule("node:module");
  const nodeRequire = createRequire(path.join(/*turbopackIgnore: true*/ process.cwd(), "package.json"));
  const resolved = nodeRequire.resolve(MODULE);
  delete nodeRequire.cache[resolved];
  return nodeRequire(resolved) as TCedar;
}

function instance(): TInstance {
  if (!current) {
    generations += 1;
    current = { generation: generations, cedar: loadFresh() };
  }
  return current;
}

/** The generation of the live instance; it changes after every reset. */
export function cedarGeneration(): number {
  return instance().generation;
}

/**
 * Run one call into Cedar. If it throws, the instance is discarded (once, even if
 * several callers saw it fail) and the caller gets a CedarTrapError.
 */
export function callCedar<T>(operation: string, work: (cedar: TCedar) => T): T {
  const live = instance();
  try {
    return work(live.cedar);
  } catch (error) {
    if (current === live) current = null;
    logger.error({ err: error, operation, generation: live.generation }, "Cedar trapped; its instance was discarded");
    throw new CedarTrapError(operation, error);
  }
}
