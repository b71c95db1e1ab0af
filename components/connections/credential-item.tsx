"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { format } from "date-fns";
import { useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { PROVIDER_DEFINITIONS } from "@/server/credentials/providers";
import type { TCredentialView } from "@/server/credentials/service";
import { CredentialForm } from "./credential-form";

const when = (date: Date | null) => (date ? format(date, "yyyy-MM-dd HH:mm") : "never");

/** One connection: what is stored (never the secret), and Check, Rotate, Remove. */
export function CredentialItem({ tenantSlug, credential }: { tenantSlug: string; credential: TCredentialView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [panel, setPanel] = useState<"none" | "rotate" | "remove">("none");
  const definition = PROVIDER_DEFINITIONS[credential.provider];
  const labels = new Map(definition.fields.map((field) => [field.name, field.label]));
  const check = useMutation(trpc.credential.check.mutationOptions());
  const remove = useMutation(
    trpc.credential.remove.mutationOptions({
      onSuccess: () => {
        toast.success(`"${credential.label}" was removed and its secret destroyed.`);
        void queryClient.invalidateQueries({ queryKey: trpc.credential.list.queryKey({ tenantSlug }) });
      },
    }),
  );
  const ref = { tenantSlug, credentialId: credential.id };

  return (
    <li className="space-y-3 py-4" data-testid="credential" aria-label={`${definition.label}: ${credential.label}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-sm font-semibold text-slate-900">
            {credential.label} <span className="font-normal text-slate-500">· {definition.label}</span>
          </p>
          <p className="mt-0.5 font-mono text-xs text-slate-600" data-testid="credential-last4">
            •••• {credential.last4} <span className="font-sans text-slate-400">· version {credential.version}</span>
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" isBusy={check.isPending} onClick={() => check.mutate(ref)}>
            Check connection
          </Button>
          <Button variant="secondary" onClick={() => setPanel(panel === "rotate" ? "none" : "rotate")}>
            Rotate
          </Button>
          <Button variant="danger" onClick={() => setPanel(panel === "remove" ? "none" : "remove")}>
            Remove
          </Button>
        </div>
      </div>

      <dl className="grid grid-cols-[9rem_1fr] gap-x-4 gap-y-1 text-sm">
        {Object.entries(credential.config).map(([name, value]) => (
          <div key={name} className="contents">
            <dt className="text-slate-500">{labels.get(name) ?? name}</dt>
            <dd className="break-all font-mono text-xs leading-5">{value}</dd>
          </div>
        ))}
        <dt className="text-slate-500">Created</dt>
        <dd>
          {when(credential.createdAt)} <span className="text-slate-500">by {credential.createdBy}</span>
        </dd>
        <dt className="text-slate-500">Rotated</dt>
        <dd>{when(credential.rotatedAt)}</dd>
        <dt className="text-slate-500">Last used</dt>
        <dd>{when(credential.lastUsedAt)}</dd>
      </dl>

      {check.isSuccess ? (
        <div role="status" data-testid="check-result" className="flex items-start gap-2 text-sm">
          <Badge tone={check.data.isOk ? "success" : "danger"}>{check.data.isOk ? "Connected" : "Check failed"}</Badge>
          <span className="text-slate-700">{check.data.detail}</span>
        </div>
      ) : null}
      {check.isError ? <ErrorState message={`The check could not run: ${errorMessage(check.error)}`} /> : null}

      {panel === "rotate" ? (
        <CredentialForm tenantSlug={tenantSlug} mode={{ kind: "rotate", credential }} onDone={() => setPanel("none")} />
      ) : null}
      {panel === "remove" ? (
        <div role="alertdialog" aria-label={`Remove ${credential.label}`} className="rounded-md border border-red-200 bg-red-50 p-4">
          <p className="text-sm text-red-900">
            Remove &ldquo;{credential.label}&rdquo;? Its secret is destroyed and cannot be restored. Tools that used it deliver to the
            sandbox outbox until you connect {definition.label} again.
          </p>
          {remove.isError ? <ErrorState message={errorMessage(remove.error)} /> : null}
          <div className="mt-3 flex gap-2">
            <Button variant="danger" isBusy={remove.isPending} onClick={() => remove.mutate(ref)}>
              Remove for good
            </Button>
            <Button variant="secondary" onClick={() => setPanel("none")}>
              Keep it
            </Button>
          </div>
        </div>
      ) : null}
    </li>
  );
}
