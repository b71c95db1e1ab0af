"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input, Label, Select } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { CREDENTIAL_PROVIDERS, PROVIDER_DEFINITIONS, type TCredentialProvider } from "@/server/credentials/providers";
import type { TCredentialView } from "@/server/credentials/service";

type TMode = { kind: "create" } | { kind: "rotate"; credential: TCredentialView };

/** The submitted value of each of the provider's fields; empty ones are left out. */
function fieldsFrom(form: FormData, provider: TCredentialProvider): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of PROVIDER_DEFINITIONS[provider].fields) {
    const value = String(form.get(`field.${field.name}`) ?? "").trim();
    if (value) fields[field.name] = value;
  }
  return fields;
}

/**
 * Adding a connection, or rotating one: the provider's fields from PROVIDER_DEFINITIONS.
 * Secret fields are password inputs that are never pre-filled (the server never sends a
 * secret back); plain fields start from the stored configuration when rotating.
 */
export function CredentialForm({ tenantSlug, mode, onDone }: { tenantSlug: string; mode: TMode; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [chosen, setChosen] = useState<TCredentialProvider>("webhook");
  const provider = mode.kind === "rotate" ? mode.credential.provider : chosen;
  const definition = PROVIDER_DEFINITIONS[provider];
  const config = mode.kind === "rotate" ? mode.credential.config : {};

  const onSuccess = (credential: TCredentialView) => {
    void queryClient.invalidateQueries({ queryKey: trpc.credential.list.queryKey({ tenantSlug }) });
    toast.success(
      mode.kind === "create"
        ? `${PROVIDER_DEFINITIONS[credential.provider].label} "${credential.label}" is connected.`
        : `"${credential.label}" was rotated (version ${credential.version}).`,
    );
    onDone();
  };
  // reset() on success: the submitted secrets do not linger in the mutation's state.
  const create = useMutation(
    trpc.credential.create.mutationOptions({
      onSuccess: (data) => {
        create.reset();
        onSuccess(data);
      },
    }),
  );
  const rotate = useMutation(
    trpc.credential.rotate.mutationOptions({
      onSuccess: (data) => {
        rotate.reset();
        onSuccess(data);
      },
    }),
  );
  const mutation = mode.kind === "create" ? create : rotate;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = fieldsFrom(form, provider);
    if (mode.kind === "create") create.mutate({ tenantSlug, provider, label: String(form.get("label") ?? "").trim(), fields });
    else rotate.mutate({ tenantSlug, credentialId: mode.credential.id, fields });
  }

  const title = mode.kind === "create" ? "Add a connection" : `Rotate "${mode.credential.label}"`;
  return (
    <form
      onSubmit={onSubmit}
      aria-label={title}
      autoComplete="off"
      className="space-y-4 rounded-md border border-slate-200 bg-slate-50 p-4"
    >
      <div>
        <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
        <p className="mt-0.5 text-xs text-slate-500">
          {mode.kind === "rotate"
            ? "Enter every secret again: rotation replaces all of them. Plain settings keep their values unless you change them."
            : "Secrets are sealed with this tenant's key and never shown again, only their last four characters."}
        </p>
      </div>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        {mode.kind === "create" ? (
          <>
            <div>
              <Label htmlFor={`${id}-provider`}>Service</Label>
              <Select
                id={`${id}-provider`}
                className="w-full"
                value={chosen}
                onChange={(event) => setChosen(event.target.value as TCredentialProvider)}
              >
                {CREDENTIAL_PROVIDERS.map((name) => (
                  <option key={name} value={name}>
                    {PROVIDER_DEFINITIONS[name].label}
                  </option>
                ))}
              </Select>
              <p className="mt-1 text-xs text-slate-500">{definition.description}</p>
            </div>
            <div>
              <Label htmlFor={`${id}-label`}>Name</Label>
              <Input id={`${id}-label`} name="label" required maxLength={80} placeholder="e.g. ops alerts" />
            </div>
          </>
        ) : null}
        {/* key: switching the service starts its fields empty. */}
        {definition.fields.map((field) => {
          const inputId = `${id}-${field.name}`;
          const label = `${field.label}${field.isRequired ? "" : " (optional)"}`;
          return (
            <div key={`${provider}.${field.name}`}>
              <Label htmlFor={inputId}>{label}</Label>
              {field.choices ? (
                <Select
                  id={inputId}
                  name={`field.${field.name}`}
                  className="w-full"
                  required={field.isRequired}
                  defaultValue={config[field.name] ?? field.choices[0]}
                >
                  {field.choices.map((choice) => (
                    <option key={choice} value={choice}>
                      {choice}
                    </option>
                  ))}
                </Select>
              ) : field.isSecret ? (
                <Input
                  id={inputId}
                  name={`field.${field.name}`}
                  type="password"
                  autoComplete="new-password"
                  spellCheck={false}
                  required={field.isRequired}
                  placeholder={mode.kind === "rotate" ? "enter the new value" : undefined}
                />
              ) : (
                <Input id={inputId} name={`field.${field.name}`} required={field.isRequired} defaultValue={config[field.name] ?? ""} />
              )}
              {field.help ? <p className="mt-1 text-xs text-slate-500">{field.help}</p> : null}
            </div>
          );
        })}
      </div>
      {mutation.isError ? <ErrorState message={errorMessage(mutation.error)} /> : null}
      <div className="flex gap-2">
        <Button type="submit" isBusy={mutation.isPending}>
          {mode.kind === "create" ? "Connect" : "Rotate"}
        </Button>
        <Button type="button" variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
