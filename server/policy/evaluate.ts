// Policy evaluation with Cedar. A composition (ordered pack versions, minus
// disabled policies, plus tenant policies) compiles once into a pre-parsed
// Cedar policy set, cached by content. A decision is:
//   allow             some permit matched and no forbid did
//   require_approval  only forbids annotated @effect("require_approval") matched
//   deny              any other forbid matched, or nothing permits (default deny)
// Every decision names the pack, version and policy ids that made it.
//
// Text reaches Cedar only after `policyTextProblems` accepted it (complexity.ts),
// and Cedar is reached only through `callCedar` (cedar.ts), which survives a trap.
import type * as TCedarModule from "@cedar-policy/cedar-wasm/nodejs";
import { createHash } from "node:crypto";
import { logger } from "@/server/logger";
import { normalizedAmount } from "@/lib/money";
import { callCedar, cedarGeneration, CedarTrapError } from "./cedar";
import { POLICY_LIMITS, policyTextProblems, type TPolicyLimits } from "./complexity";
import { cedarSchema, type TPolicyContext } from "./schema";

export type TEffect = "allow" | "deny" | "require_approval";
export type TPackSource = { name: string; version: number; text: string };
export type TComposition = { packs: TPackSource[]; disabledPolicies?: string[]; tenantPolicies?: string };

export type TPolicyMeta = { id: string; pack: string; version: number; localId: string; effect: TEffect; tags: string[]; reason: string };
/**
 * A composition pre-parsed in one Cedar instance (`generation`); `staticPolicies`
 * lets a later instance pre-parse it again after a reset.
 */
export type TCompiled = {
  setId: string;
  generation: number;
  staticPolicies: Record<string, string>;
  policies: Map<string, TPolicyMeta>;
};

export type TPrincipal = { type: "User"; id: string; role: string } | { type: "Agent"; id: string };
export type TPolicyRequest = { principal: TPrincipal; action: string; tenantId: string; context: TPolicyContext };
export type TPolicyDecision = { effect: TEffect; policies: TPolicyMeta[]; tags: string[]; explanation: string };

export class PolicyCompileError extends Error {
  readonly issues: string[];
  constructor(pack: string, issues: string[]) {
    super(`Pack ${pack} is not valid: ${issues.join("; ")}`);
    this.name = "PolicyCompileError";
    this.issues = issues;
  }
}

const TENANT_PACK = "tenant";

function annotationsOf(pack: string, text: string): Record<string, string> {
  const json = callCedar("reading a policy's annotations", (cedar) => cedar.policyToJson(text));
  if (json.type === "failure")
    throw new PolicyCompileError(
      pack,
      json.errors.map((error) => error.message),
    );
  return {
    ...(json.json.annotations ?? {}),
    effect: json.json.effect === "permit" ? "permit" : (json.json.annotations?.effect ?? "forbid"),
  };
}

function policiesOf(source: TPackSource, limits: TPolicyLimits = POLICY_LIMITS): { meta: TPolicyMeta; text: string }[] {
  const problems = policyTextProblems(source.text, limits);
  if (problems.length > 0) throw new PolicyCompileError(source.name, problems);
  const parts = callCedar("parsing a pack", (cedar) => cedar.policySetTextToParts(source.text));
  if (parts.type === "failure")
    throw new PolicyCompileError(
      source.name,
      parts.errors.map((error) => error.message),
    );
  if (parts.policy_templates.length > 0) throw new PolicyCompileError(source.name, ["templates are not supported in packs"]);
  const seen = new Set<string>();
  return parts.policies.map((text) => {
    const annotations = annotationsOf(source.name, text);
    const localId = annotations.id;
    if (!localId) throw new PolicyCompileError(source.name, [`every policy needs an @id("…") annotation: ${text.slice(0, 80)}`]);
    if (seen.has(localId)) throw new PolicyCompileError(source.name, [`the id "${localId}" is used twice`]);
    seen.add(localId);
    const kind = annotations.effect;
    if (kind !== "permit" && kind !== "forbid" && kind !== "require_approval") {
      throw new PolicyCompileError(source.name, [`policy ${localId}: @effect may only be "require_approval", on a forbid policy`]);
    }
    const effect: TEffect = kind === "permit" ? "allow" : kind === "require_approval" ? "require_approval" : "deny";
    const tags = (annotations.tags ?? "")
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    const id = `${source.name}@v${source.version}/${localId}`;
    return { meta: { id, pack: source.name, version: source.version, localId, effect, tags, reason: annotations.reason ?? "" }, text };
  });
}

/** Cedar's validation of the whole composition against the registered tools; the messages are Cedar's. */
export function validateComposition(composition: TComposition, actions: readonly string[]): string[] {
  const compiled = sources(composition).flatMap((source) => policiesOf(source));
  const answer = callCedar("validating a composition", (cedar) =>
    cedar.validate({
      schema: cedarSchema(actions),
      policies: { staticPolicies: Object.fromEntries(compiled.map(({ meta, text }) => [meta.id, text])) },
    }),
  );
  if (answer.type === "failure") return answer.errors.map((error) => error.message);
  return answer.validationErrors.map((error) => `${error.policyId}: ${error.error.message}`);
}

function sources(composition: TComposition): TPackSource[] {
  return [
    ...composition.packs,
    ...(composition.tenantPolicies?.trim() ? [{ name: TENANT_PACK, version: 0, text: composition.tenantPolicies }] : []),
  ];
}

// Both caches hold sets pre-parsed in one Cedar instance; a new instance (after a
// trap) starts them empty, so nothing pre-parsed in a discarded instance is used.
type TCaches = { generation: number; prepared: Map<string, TCompiled>; bySource: Map<string, TCompiled> };
let caches: TCaches = { generation: 0, prepared: new Map(), bySource: new Map() };
const MAX_PREPARED = 500;
const trappedSources = new Set<string>();

function cachesOf(generation: number): TCaches {
  if (caches.generation !== generation) caches = { generation, prepared: new Map(), bySource: new Map() };
  return caches;
}

function remember(cache: Map<string, TCompiled>, key: string, compiled: TCompiled): void {
  if (cache.size >= MAX_PREPARED) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
}

// A pack source's hash, kept per source object: catalog packs are the same objects on
// every call (they ship with the app, frozen), so their texts are hashed once per
// process instead of on every gate call; a tenant's own texts, loaded per call, are
// hashed each time.
const sourceHashes = new WeakMap<TPackSource, string>();

function sourceHash(source: TPackSource): string {
  let hash = sourceHashes.get(source);
  if (!hash) {
    hash = createHash("sha256")
      .update(JSON.stringify([source.name, source.version, source.text]))
      .digest("hex");
    if (Object.isFrozen(source)) sourceHashes.set(source, hash);
  }
  return hash;
}

/**
 * Compile and pre-parse; the same composition content is parsed once per process
 * (and Cedar instance). The gate compiles on every call, and splitting the packs
 * into policies costs milliseconds, so the result is also kept by a hash of the
 * exact source (pack texts, disabled ids, tenant policies): compiling is a pure
 * function of it. `limits` replaces POLICY_LIMITS (tests that probe Cedar itself).
 */
export function compileComposition(composition: TComposition, options: { limits?: TPolicyLimits } = {}): TCompiled {
  const sourceKey = [
    sources(composition).map(sourceHash).join(","),
    JSON.stringify(composition.disabledPolicies ?? []),
    JSON.stringify(options.limits ?? null),
  ].join("|");
  const known = cachesOf(cedarGeneration()).bySource.get(sourceKey);
  if (known) return known;
  // Parsing depends on the text alone: a source that made Cedar trap once would do so
  // again, costing every tenant a restarted engine each time. It is refused instead.
  if (trappedSources.has(sourceKey)) {
    throw new PolicyCompileError("composition", ["this policy text made the policy engine fail before; change it to use it"]);
  }
  let compiled: TCompiled;
  try {
    compiled = compileSources(composition, options.limits);
  } catch (error) {
    if (error instanceof CedarTrapError) {
      if (trappedSources.size >= MAX_PREPARED) trappedSources.clear();
      trappedSources.add(sourceKey);
      throw new PolicyCompileError("composition", ["the policy engine failed on this text (logged); simplify it"]);
    }
    throw error;
  }
  remember(cachesOf(compiled.generation).bySource, sourceKey, compiled);
  return compiled;
}

function compileSources(composition: TComposition, limits?: TPolicyLimits): TCompiled {
  const disabled = new Set(composition.disabledPolicies ?? []);
  const policies = sources(composition)
    .flatMap((source) => policiesOf(source, limits))
    .filter(({ meta }) => !disabled.has(meta.id));
  const staticPolicies = Object.fromEntries(policies.map(({ meta, text }) => [meta.id, text]));
  const setId = createHash("sha256").update(JSON.stringify(staticPolicies)).digest("hex").slice(0, 32);
  return preparse(setId, staticPolicies, new Map(policies.map(({ meta }) => [meta.id, meta])));
}

function preparse(setId: string, staticPolicies: Record<string, string>, policies: Map<string, TPolicyMeta>): TCompiled {
  const generation = cedarGeneration();
  const cached = cachesOf(generation).prepared.get(setId);
  if (cached) return cached;
  const answer = callCedar("pre-parsing a composition", (cedar) => cedar.preparsePolicySet(setId, { staticPolicies }));
  if (answer.type === "failure")
    throw new PolicyCompileError(
      "composition",
      answer.errors.map((error) => error.message),
    );
  const compiled = { setId, generation, staticPolicies, policies };
  remember(cachesOf(generation).prepared, setId, compiled);
  return compiled;
}

function toCedarContext(context: TPolicyContext): TCedarModule.Context {
  const { pii, ...rest } = context;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  // Cedar has integers only: amounts are minor units, rounded toward zero.
  if (typeof defined.amount === "number") defined.amount = Math.trunc(defined.amount);
  // Derived here, not by callers, so the gate, pack tiers and replays of recorded contexts
  // all get it: a threshold in the transfer's own currency (treasury v2) reads this one.
  if (typeof defined.amount === "number" && typeof defined.currency === "string")
    defined.normalizedAmount = normalizedAmount(defined.amount, defined.currency);
  else delete defined.normalizedAmount;
  return { ...defined, pii: { hasAny: pii.hasAny, kinds: pii.kinds } } as TCedarModule.Context;
}

function failed(explanation: string): TPolicyDecision {
  return { effect: "deny", policies: [], tags: [], explanation };
}

/**
 * Decisions kept, by set and request, for the whole process (a bound on memory however
 * many tenants and sets there are: about half a kilobyte each); the oldest goes first.
 */
const DECISIONS_KEPT = 20_000;
const keptDecisions = new Map<string, TPolicyDecision>();

/**
 * Cedar's answer for this request against this set. Cedar is a pure function of the
 * policy set and the request (principal, action, resource, context and the entities,
 * which are built from the request alone: no clock, no randomness, no lookups), so a
 * decision made once for the same set and the same request is that answer: it is kept,
 * keyed by the set's id (a hash of its policies) and the request, and handed back,
 * frozen, instead of asking Cedar again (Cedar's evaluation was the largest share of the
 * gate's own CPU). A changed composition is another set id with no decisions yet; a
 * decision the engine could not make (a trap, an evaluation failure) is never kept.
 */
export function decide(compiled: TCompiled, request: TPolicyRequest): TPolicyDecision {
  const call = authorizationCall(compiled, request);
  // Everything Cedar sees: the principal and its one attribute, action, resource and context.
  const { principal } = request;
  const key = JSON.stringify([
    compiled.setId,
    principal.type,
    principal.id,
    principal.type === "User" ? principal.role : null,
    request.action,
    request.tenantId,
    call.context,
  ]);
  const known = keptDecisions.get(key);
  if (known) return known;
  const answer = evaluate(compiled, request, call);
  if (!answer.isKept) return answer.decision;
  const decision = deepFreeze(answer.decision);
  if (keptDecisions.size >= DECISIONS_KEPT) keptDecisions.delete(keptDecisions.keys().next().value as string);
  keptDecisions.set(key, decision);
  return decision;
}

function deepFreeze(decision: TPolicyDecision): TPolicyDecision {
  for (const meta of decision.policies) Object.freeze(meta.tags);
  decision.policies.forEach((meta) => Object.freeze(meta));
  Object.freeze(decision.policies);
  Object.freeze(decision.tags);
  return Object.freeze(decision);
}

function evaluate(
  compiled: TCompiled,
  request: TPolicyRequest,
  call: TCedarModule.StatefulAuthorizationCall,
): { decision: TPolicyDecision; isKept: boolean } {
  const kept = (decision: TPolicyDecision) => ({ decision, isKept: true });
  let answer: TCedarModule.AuthorizationAnswer;
  try {
    // A set pre-parsed in an instance that has since been discarded is pre-parsed again.
    if (compiled.generation !== cedarGeneration()) preparse(compiled.setId, compiled.staticPolicies, compiled.policies);
    answer = callCedar("deciding a call", (cedar) => cedar.statefulIsAuthorized(call));
  } catch (error) {
    // Only this call is denied: callCedar already replaced the instance for the next one.
    if (!(error instanceof CedarTrapError || error instanceof PolicyCompileError)) throw error;
    logger.error({ err: error, tenantId: request.tenantId, action: request.action, setId: compiled.setId }, "policy decision failed");
    return {
      decision: failed("policy evaluation failed inside the policy engine, so this call is denied (logged; the engine was restarted)"),
      isKept: false,
    };
  }
  // Fail closed: an evaluation that cannot complete denies.
  if (answer.type === "failure") {
    return { decision: failed(`policy evaluation failed: ${answer.errors.map((error) => error.message).join("; ")}`), isKept: false };
  }
  const { decision, diagnostics } = answer.response;
  // A forbid that errored (say, on a missing attribute) was skipped by Cedar; we do not let that fail open.
  const erroredForbids = diagnostics.errors
    .map((error) => compiled.policies.get(error.policyId))
    .filter((meta): meta is TPolicyMeta => Boolean(meta && meta.effect !== "allow"));
  if (erroredForbids.length > 0) {
    return kept({
      effect: "deny",
      policies: erroredForbids,
      tags: [],
      explanation: `policy ${erroredForbids.map((meta) => meta.id).join(", ")} could not be evaluated for this call, so it is denied`,
    });
  }
  const matched = diagnostics.reason.map((id) => compiled.policies.get(id)).filter((meta): meta is TPolicyMeta => Boolean(meta));
  if (decision === "allow")
    return kept({
      effect: "allow",
      policies: matched,
      tags: [],
      explanation: matched.map((meta) => `${meta.id}: ${meta.reason}`).join("; "),
    });
  if (matched.length === 0)
    return kept({ effect: "deny", policies: [], tags: [], explanation: "no policy permits this call (default deny)" });
  const denying = matched.filter((meta) => meta.effect === "deny");
  const deciding = denying.length > 0 ? denying : matched;
  return kept({
    effect: denying.length > 0 ? "deny" : "require_approval",
    policies: deciding,
    tags: [...new Set(deciding.flatMap((meta) => meta.tags))],
    explanation: deciding.map((meta) => `${meta.id}: ${meta.reason || "forbidden"}`).join("; "),
  });
}

function authorizationCall(compiled: TCompiled, request: TPolicyRequest): TCedarModule.StatefulAuthorizationCall {
  const principalEntity: TCedarModule.EntityJson =
    request.principal.type === "User"
      ? { uid: { type: "User", id: request.principal.id }, attrs: { role: request.principal.role }, parents: [] }
      : { uid: { type: "Agent", id: request.principal.id }, attrs: {}, parents: [] };
  return {
    principal: { type: request.principal.type, id: request.principal.id },
    action: { type: "Action", id: request.action },
    resource: { type: "Tenant", id: request.tenantId },
    context: toCedarContext(request.context),
    preparsedPolicySetId: compiled.setId,
    entities: [principalEntity, { uid: { type: "Tenant", id: request.tenantId }, attrs: {}, parents: [] }],
  };
}
