// Which model plans a tenant's agent turns: the tenant's own choice (Settings →
// Model) or the deployment's default from the environment. API keys are sealed
// with the tenant's data key and never leave this module in the clear: callers
// see the last four characters.
//
// In saas, a tenant's base URL must be one the operator allowed
// (LLM_ALLOWED_BASE_URLS): a free-form URL would let a tenant aim our servers at
// internal addresses. In self_hosted any URL is accepted (Ollama on localhost is
// the usual case).
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { recordAudit } from "@/server/audit/service";
import { openTenantSecret, sealTenantSecret } from "@/server/credentials/seal";
import { Prisma, withTenant } from "@/server/db";
import { env, type TDeploymentMode } from "@/server/env";
import { AppError } from "@/server/errors";
import type { TLlmProvider } from "./providers";
import type { TModelSettingsInput } from "./schemas";
import { userPrincipal } from "@/server/principals";

export type TModelConfig = {
  provider: TLlmProvider;
  baseUrl: string | null;
  model: string | null;
  apiKey: string | null;
  source: "tenant" | "deployment";
};

/** What the settings page shows: never the key, only whether there is one and its last four. */
export type TModelSettingsView = {
  provider: TLlmProvider;
  baseUrl: string | null;
  model: string | null;
  apiKeyLast4: string | null;
  source: "tenant" | "deployment";
  updatedBy: string | null;
  updatedAt: Date | null;
  allowedBaseUrls: string[] | null;
  deployment: { provider: TLlmProvider; model: string | null };
};

const KEY_PURPOSE = "model-api-key";

export type TModelPolicy = { mode: TDeploymentMode; allowedBaseUrls: string[] };

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

export function deploymentModelPolicy(): TModelPolicy {
  return {
    mode: env.DEPLOYMENT_MODE,
    allowedBaseUrls: env.LLM_ALLOWED_BASE_URLS.split(",").map(normalizeUrl).filter(Boolean),
  };
}

export function deploymentModel(): TModelConfig {
  return {
    provider: env.LLM_PROVIDER,
    baseUrl: env.LLM_BASE_URL ?? null,
    model: env.LLM_MODEL ?? null,
    apiKey: env.LLM_API_KEY ?? null,
    source: "deployment",
  };
}

/** Why a base URL may not be used by a tenant in this deployment, or null when it may. */
export function baseUrlRefusal(baseUrl: string | null, policy: TModelPolicy): string | null {
  if (baseUrl === null || policy.mode === "self_hosted") return null;
  if (policy.allowedBaseUrls.includes(normalizeUrl(baseUrl))) return null;
  return `This deployment lets tenants use only these model endpoints: ${policy.allowedBaseUrls.join(", ") || "(none)"}. Ask your operator to allow ${normalizeUrl(baseUrl)}.`;
}

export async function modelConfigFor(tenantId: string, policy: TModelPolicy = deploymentModelPolicy()): Promise<TModelConfig> {
  const row = await withTenant(tenantId, (db) => db.tenantModelSetting.findUnique({ where: { tenantId } }));
  if (!row) return deploymentModel();
  const config: TModelConfig = {
    provider: row.provider as TLlmProvider,
    baseUrl: row.baseUrl,
    model: row.model,
    apiKey: null,
    source: "tenant",
  };
  // The allowlist may have shrunk since the tenant saved: check at use, not only at save.
  const refusal = baseUrlRefusal(config.baseUrl, policy);
  if (refusal) throw new AppError("PRECONDITION_FAILED", refusal);
  if (row.apiKeySealed) config.apiKey = await openTenantSecret(tenantId, row.apiKeySealed, { recordId: tenantId, purpose: KEY_PURPOSE });
  return config;
}

/** The model to call, or null for the built-in scripted planner. */
export function languageModelFor(config: TModelConfig): LanguageModel | null {
  if (config.provider === "scripted" || !config.model) return null;
  if (config.provider === "anthropic") {
    return createAnthropic({ apiKey: config.apiKey ?? "", ...(config.baseUrl ? { baseURL: config.baseUrl } : {}) })(config.model);
  }
  if (!config.baseUrl) throw new AppError("PRECONDITION_FAILED", "An OpenAI-compatible model needs a base URL (Settings → Model).");
  return createOpenAICompatible({
    name: "openai-compatible",
    baseURL: config.baseUrl,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    includeUsage: true,
  }).chatModel(config.model);
}

export function plannerName(config: Pick<TModelConfig, "provider" | "model">): string {
  return config.provider === "scripted" || !config.model ? "scripted" : `${config.provider}:${config.model}`;
}

export async function getModelSettings(tenantId: string, policy: TModelPolicy = deploymentModelPolicy()): Promise<TModelSettingsView> {
  const row = await withTenant(tenantId, (db) => db.tenantModelSetting.findUnique({ where: { tenantId } }));
  const fallback = deploymentModel();
  const deployment = { provider: fallback.provider, model: fallback.model };
  const allowedBaseUrls = policy.mode === "saas" ? policy.allowedBaseUrls : null;
  if (!row)
    return {
      provider: fallback.provider,
      baseUrl: null,
      model: fallback.model,
      apiKeyLast4: null,
      source: "deployment",
      updatedBy: null,
      updatedAt: null,
      allowedBaseUrls,
      deployment,
    };
  return {
    provider: row.provider as TLlmProvider,
    baseUrl: row.baseUrl,
    model: row.model,
    apiKeyLast4: row.apiKeyLast4,
    source: "tenant",
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
    allowedBaseUrls,
    deployment,
  };
}

/**
 * Save the tenant's choice. `apiKey` undefined keeps the stored key; `clearApiKey`
 * removes it. The audit entry names what changed, never the key.
 */
export async function saveModelSettings(
  tenantId: string,
  actorUserId: string,
  input: TModelSettingsInput,
  policy: TModelPolicy = deploymentModelPolicy(),
): Promise<TModelSettingsView> {
  const baseUrl = input.baseUrl ? normalizeUrl(input.baseUrl) : null;
  const model = input.model?.trim() || null;
  if (input.provider !== "scripted" && !model) throw new AppError("BAD_REQUEST", "Name the model to use, e.g. gpt-4o-mini or llama3.1.");
  if (input.provider === "openai_compatible" && !baseUrl)
    throw new AppError("BAD_REQUEST", "An OpenAI-compatible provider needs its base URL, e.g. http://127.0.0.1:11434/v1 for Ollama.");
  const refusal = baseUrlRefusal(baseUrl, policy);
  if (refusal) throw new AppError("BAD_REQUEST", refusal);
  const sealed =
    input.apiKey === undefined ? undefined : await sealTenantSecret(tenantId, input.apiKey, { recordId: tenantId, purpose: KEY_PURPOSE });
  await withTenant(tenantId, async (db) => {
    const before = await db.tenantModelSetting.findUnique({ where: { tenantId } });
    const key =
      sealed !== undefined
        ? { apiKeySealed: sealed, apiKeyLast4: input.apiKey?.slice(-4) ?? null }
        : input.clearApiKey
          ? { apiKeySealed: Prisma.DbNull, apiKeyLast4: null }
          : {};
    const values = { provider: input.provider, baseUrl, model, updatedBy: userPrincipal(actorUserId), updatedAt: new Date(), ...key };
    await db.tenantModelSetting.upsert({ where: { tenantId }, create: { tenantId, ...values }, update: values });
    await recordAudit(db, {
      tenantId,
      actorUserId,
      action: "model.settings_changed",
      targetType: "tenant",
      targetId: tenantId,
      data: {
        before: before ? { provider: before.provider, baseUrl: before.baseUrl, model: before.model } : null,
        after: { provider: input.provider, baseUrl, model },
        apiKey: sealed !== undefined ? "replaced" : input.clearApiKey ? "removed" : "unchanged",
      },
    });
  });
  return getModelSettings(tenantId, policy);
}

/** Back to the deployment's default model. */
export async function resetModelSettings(tenantId: string, actorUserId: string): Promise<TModelSettingsView> {
  await withTenant(tenantId, async (db) => {
    await db.tenantModelSetting.deleteMany({ where: { tenantId } });
    await recordAudit(db, { tenantId, actorUserId, action: "model.settings_reset", targetType: "tenant", targetId: tenantId });
  });
  return getModelSettings(tenantId);
}
