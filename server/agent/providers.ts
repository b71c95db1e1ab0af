// The model providers an agent can plan with; shared by env validation, the
// settings API and the settings page.
export const LLM_PROVIDERS = ["scripted", "openai_compatible", "anthropic"] as const;
export type TLlmProvider = (typeof LLM_PROVIDERS)[number];

export const PROVIDER_LABELS: Record<TLlmProvider, string> = {
  scripted: "Scripted demo planner (no model)",
  openai_compatible: "OpenAI-compatible (OpenAI, Ollama, vLLM, llama.cpp)",
  anthropic: "Anthropic (Claude)",
};
