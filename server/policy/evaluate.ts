// Policy evaluation with Cedar. A composition (ordered pack versions, minus
// disabled policies, plus tenant policies) compiles once into a pre-parsed
// Cedar policy set, cached by content. A decision is:
//   allow             some permit matched and no forbid did
//   require_approval  only forbids annotated @effect("require_approval") matched
//   deny              any other forbid matched, or nothing permits (default deny)
// Every decision names the pack, version and policy ids that made it.
import { createHash } from "node:crypto";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { cedarSchema, type TPolicyContext } from "./schema";

export type TEffect = "allow" | "deny" | "require_approval";
export type TPackSource = { name: string; version: number; text: string };
export type TComposition = { packs: TPackSource[]; disabledPolicies?: string[]; tenantPolicies?: string };

export type TPolicyMeta = { id: string; pack: string; version: number; localId: string; effect: TEffect; tags: string[]; reason: string };
export type TCompiled = { setId: string; policies: Map<string, TPolicyMeta> };

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
  const json = cedar.policyToJson(text);
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

function policiesOf(source: TPackSource): { meta: TPolicyMeta; text: string }[] {
  const parts = cedar.policySetTextToParts(source.text);
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
  const compiled = sources(composition).flatMap(policiesOf);
  const answer = cedar.validate({
    schema: cedarSchema(actions),
    policies: { staticPolicies: Object.fromEntries(compiled.map(({ meta, text }) => [meta.id, text])) },
  });
  if (answer.type === "failure") return answer.errors.map((error) => error.message);
  return answer.validationErrors.map((error) => `${error.policyId}: ${error.error.message}`);
}

function sources(composition: TComposition): TPackSource[] {
  return [
    ...composition.packs,
    ...(composition.tenantPolicies?.trim() ? [{ name: TENANT_PACK, version: 0, text: composition.tenantPolicies }] : []),
  ];
}

const prepared = new Map<string, TCompiled>();
const compiledBySource = new Map<string, TCompiled>();
const MAX_PREPARED = 500;

function remember(cache: Map<string, TCompiled>, key: string, compiled: TCompiled): void {
  if (cache.size >= MAX_PREPARED) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
}

/**
 * Compile and pre-parse; the same composition content is parsed once per process.
 * The gate compiles on every call, and splitting the packs into policies costs
 * milliseconds, so the result is also kept by a hash of the exact source (pack
 * texts, disabled ids, tenant policies): compiling is a pure function of it.
 */
export function compileComposition(composition: TComposition): TCompiled {
  const sourceKey = createHash("sha256")
    .update(
      JSON.stringify([
        sources(composition).map((source) => [source.name, source.version, source.text]),
        composition.disabledPolicies ?? [],
      ]),
    )
    .digest("hex");
  const known = compiledBySource.get(sourceKey);
  if (known) return known;
  const compiled = compileSources(composition);
  remember(compiledBySource, sourceKey, compiled);
  return compiled;
}

function compileSources(composition: TComposition): TCompiled {
  const disabled = new Set(composition.disabledPolicies ?? []);
  const policies = sources(composition)
    .flatMap(policiesOf)
    .filter(({ meta }) => !disabled.has(meta.id));
  const staticPolicies = Object.fromEntries(policies.map(({ meta, text }) => [meta.id, text]));
  const setId = createHash("sha256").update(JSON.stringify(staticPolicies)).digest("hex").slice(0, 32);
  const cached = prepared.get(setId);
  if (cached) return cached;
  const answer = cedar.preparsePolicySet(setId, { staticPolicies });
  if (answer.type === "failure")
    throw new PolicyCompileError(
      "composition",
      answer.errors.map((error) => error.message),
    );
  const compiled = { setId, policies: new Map(policies.map(({ meta }) => [meta.id, meta])) };
  remember(prepared, setId, compiled);
  return compiled;
}

function toCedarContext(context: TPolicyContext): cedar.Context {
  const { pii, ...rest } = context;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  // Cedar has integers only: amounts are minor units, rounded toward zero.
  if (typeof defined.amount === "number") defined.amount = Math.trunc(defined.amount);
  return { ...defined, pii: { hasAny: pii.hasAny, kinds: pii.kinds } } as cedar.Context;
}

export function decide(compiled: TCompiled, request: TPolicyRequest): TPolicyDecision {
  const principalEntity: cedar.EntityJson =
    request.principal.type === "User"
      ? { uid: { type: "User", id: request.principal.id }, attrs: { role: request.principal.role }, parents: [] }
      : { uid: { type: "Agent", id: request.principal.id }, attrs: {}, parents: [] };
  const answer = cedar.statefulIsAuthorized({
    principal: { type: request.principal.type, id: request.principal.id },
    action: { type: "Action", id: request.action },
    resource: { type: "Tenant", id: request.tenantId },
    context: toCedarContext(request.context),
    preparsedPolicySetId: compiled.setId,
    entities: [principalEntity, { uid: { type: "Tenant", id: request.tenantId }, attrs: {}, parents: [] }],
  });
  // Fail closed: an evaluation that cannot complete denies.
  if (answer.type === "failure") {
    return {
      effect: "deny",
      policies: [],
      tags: [],
      explanation: `policy evaluation failed: ${answer.errors.map((error) => error.message).join("; ")}`,
    };
  }
  const { decision, diagnostics } = answer.response;
  // A forbid that errored (say, on a missing attribute) was skipped by Cedar; we do not let that fail open.
  const erroredForbids = diagnostics.errors
    .map((error) => compiled.policies.get(error.policyId))
    .filter((meta): meta is TPolicyMeta => Boolean(meta && meta.effect !== "allow"));
  if (erroredForbids.length > 0) {
    return {
      effect: "deny",
      policies: erroredForbids,
      tags: [],
      explanation: `policy ${erroredForbids.map((meta) => meta.id).join(", ")} could not be evaluated for this call, so it is denied`,
    };
  }
  const matched = diagnostics.reason.map((id) => compiled.policies.get(id)).filter((meta): meta is TPolicyMeta => Boolean(meta));
  if (decision === "allow")
    return { effect: "allow", policies: matched, tags: [], explanation: matched.map((meta) => `${meta.id}: ${meta.reason}`).join("; ") };
  if (matched.length === 0) return { effect: "deny", policies: [], tags: [], explanation: "no policy permits this call (default deny)" };
  const denying = matched.filter((meta) => meta.effect === "deny");
  const deciding = denying.length > 0 ? denying : matched;
  return {
    effect: denying.length > 0 ? "deny" : "require_approval",
    policies: deciding,
    tags: [...new Set(deciding.flatMap((meta) => meta.tags))],
    explanation: deciding.map((meta) => `${meta.id}: ${meta.reason || "forbidden"}`).join("; "),
  };
}
