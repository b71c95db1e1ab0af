"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { LLM_PROVIDERS, PROVIDER_LABELS, type TLlmProvider } from "@/server/agent/providers";

/** The model that plans this tenant's agent turns. The API key is write-only. */
export function ModelPanel({ tenantSlug, canEdit }: { tenantSlug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.model.get.queryOptions({ tenantSlug }));
  const [provider, setProvider] = useState<TLlmProvider | null>(null);
  const onSaved = (message: string) => (data: NonNullable<typeof settings.data>) => {
    queryClient.setQueryData(trpc.model.get.queryKey({ tenantSlug }), data);
    setProvider(null);
    toast.success(message);
  };
  const save = useMutation(trpc.model.save.mutationOptions({ onSuccess: onSaved("Model settings saved.") }));
  const reset = useMutation(
    trpc.model.reset.mutationOptions({
      onSuccess: onSaved("Back to the deployment's default model."),
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  if (settings.isPending) return <Loading label="Loading the model settings…" />;
  if (settings.isError) return <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />;
  const current = settings.data;
  const chosen = provider ?? current.provider;
  const description =
    current.source === "deployment"
      ? `Using the deployment's default: ${PROVIDER_LABELS[current.deployment.provider]}${current.deployment.model ? `, ${current.deployment.model}` : ""}.`
      : `Chosen for this tenant by ${current.updatedBy ?? "an admin"}.`;

  if (!canEdit)
    return (
      <Card title="Model" description={description}>
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt className="text-slate-500">Provider</dt>
          <dd>{PROVIDER_LABELS[current.provider]}</dd>
          <dt className="text-slate-500">Model</dt>
          <dd className="font-mono">{current.model ?? "—"}</dd>
        </dl>
      </Card>
    );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const apiKey = String(form.get("apiKey") ?? "").trim();
    save.mutate({
      tenantSlug,
      provider: chosen,
      baseUrl: String(form.get("baseUrl") ?? "").trim() || null,
      model: String(form.get("model") ?? "").trim() || null,
      ...(apiKey ? { apiKey } : {}),
      clearApiKey: form.get("clearApiKey") === "on",
    });
  }

  return (
    <Card
      title="Model"
      description={`${description} Whatever the model proposes still passes the Tool Policy Gate; the scripted planner needs no model and works offline.`}
    >
      <form onSubmit={onSubmit} className="space-y-4" aria-label="Model settings">
        <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
          <div>
            <Label htmlFor="model-provider">Provider</Label>
            <Select
              id="model-provider"
              className="w-full"
              value={chosen}
              onChange={(event) => setProvider(event.target.value as TLlmProvider)}
            >
              {LLM_PROVIDERS.map((name) => (
                <option key={name} value={name}>
                  {PROVIDER_LABELS[name]}
                </option>
              ))}
            </Select>
          </div>
          {chosen !== "scripted" ? (
            <div>
              <Label htmlFor="model-name">Model</Label>
              <Input
                id="model-name"
                name="model"
                required
                placeholder={chosen === "anthropic" ? "claude-sonnet-4-5" : "gpt-4o-mini, llama3.1, …"}
                defaultValue={current.model ?? ""}
              />
            </div>
          ) : null}
          {chosen !== "scripted" ? (
            <div>
              <Label htmlFor="model-base-url">Base URL{chosen === "anthropic" ? " (optional)" : ""}</Label>
              <Input
                id="model-base-url"
                name="baseUrl"
                type="url"
                required={chosen === "openai_compatible"}
                list="model-allowed-urls"
                placeholder={chosen === "anthropic" ? "https://api.anthropic.com/v1" : "http://127.0.0.1:11434/v1"}
                defaultValue={current.baseUrl ?? ""}
              />
              {current.allowedBaseUrls ? (
                <>
                  <datalist id="model-allowed-urls">
                    {current.allowedBaseUrls.map((url) => (
                      <option key={url} value={url} />
                    ))}
                  </datalist>
                  <p className="mt-1 text-xs text-slate-500">Allowed by your operator: {current.allowedBaseUrls.join(", ") || "none"}.</p>
                </>
              ) : null}
            </div>
          ) : null}
          {chosen !== "scripted" ? (
            <div>
              <Label htmlFor="model-api-key">API key</Label>
              <Input
                id="model-api-key"
                name="apiKey"
                type="password"
                autoComplete="off"
                placeholder={current.apiKeyLast4 ? `stored, ends in ${current.apiKeyLast4}; leave empty to keep` : "none stored"}
              />
              {current.apiKeyLast4 ? (
                <label className="mt-1 flex items-center gap-2 text-xs text-slate-600">
                  <input type="checkbox" name="clearApiKey" /> Remove the stored key
                </label>
              ) : null}
            </div>
          ) : null}
        </div>
        {save.isError ? <ErrorState message={errorMessage(save.error)} /> : null}
        <div className="flex gap-2">
          <Button type="submit" isBusy={save.isPending}>
            Save
          </Button>
          {current.source === "tenant" ? (
            <Button type="button" variant="secondary" isBusy={reset.isPending} onClick={() => reset.mutate({ tenantSlug })}>
              Use the deployment default
            </Button>
          ) : null}
        </div>
      </form>
    </Card>
  );
}
