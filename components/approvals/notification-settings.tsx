"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

type TEvent = "requested" | "sla_warning" | "decided";

const EVENT_LABELS: Record<TEvent, string> = {
  requested: "A call is waiting for approval",
  sla_warning: "A request nears its deadline",
  decided: "A request is decided (approved, denied or expired)",
};
const EVENTS = Object.keys(EVENT_LABELS) as TEvent[];

/** Admins: where approval events go (the tenant's webhook and SMTP credentials) and which events. */
export function NotificationSettings({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.approvalNotification.settings.queryOptions({ tenantSlug }));
  const credentials = useQuery(trpc.credential.list.queryOptions({ tenantSlug }));
  const save = useMutation(
    trpc.approvalNotification.saveSettings.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.approvalNotification.settings.queryKey({ tenantSlug }), data);
        toast.success("Notification settings saved.");
      },
    }),
  );

  if (settings.isPending || credentials.isPending) return <Loading label="Loading the notification settings…" />;
  if (settings.isError) return <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />;
  if (credentials.isError) return <ErrorState message={errorMessage(credentials.error)} onRetry={() => void credentials.refetch()} />;
  const current = settings.data;
  const webhooks = credentials.data.filter((credential) => credential.provider === "webhook");
  const mailers = credentials.data.filter((credential) => credential.provider === "smtp");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      tenantSlug,
      webhookCredentialId: String(form.get("webhookCredentialId") ?? "") || null,
      emailCredentialId: String(form.get("emailCredentialId") ?? "") || null,
      emailTo: String(form.get("emailTo") ?? "")
        .split(/[,;\s]+/)
        .map((address) => address.trim())
        .filter(Boolean),
      events: EVENTS.filter((name) => form.get(`event.${name}`) === "on"),
    });
  }

  return (
    <Card
      title="Notifications"
      description="Tell people when a call waits for approval, nears its deadline or is decided: a signed webhook and/or email, each with a link to the request. Failed deliveries are retried after 1, 5, 15 and 60 minutes."
    >
      {/* Keyed by the saved version, so the fields show what was saved. */}
      <form key={String(current.updatedAt ?? "new")} onSubmit={onSubmit} className="space-y-4" aria-label="Notification settings">
        <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
          <div>
            <Label htmlFor="notify-webhook">Webhook</Label>
            <Select id="notify-webhook" name="webhookCredentialId" className="w-full" defaultValue={current.webhookCredentialId ?? ""}>
              <option value="">No webhook</option>
              {webhooks.map((credential) => (
                <option key={credential.id} value={credential.id}>
                  {credential.label} ({credential.config.url ?? "no URL"})
                </option>
              ))}
            </Select>
          </div>
          <div>
            <Label htmlFor="notify-smtp">Email server (SMTP)</Label>
            <Select id="notify-smtp" name="emailCredentialId" className="w-full" defaultValue={current.emailCredentialId ?? ""}>
              <option value="">No email</option>
              {mailers.map((credential) => (
                <option key={credential.id} value={credential.id}>
                  {credential.label} ({credential.config.host ?? "no host"})
                </option>
              ))}
            </Select>
          </div>
        </div>
        {webhooks.length === 0 || mailers.length === 0 ? (
          <p className="text-sm text-slate-500">
            {webhooks.length === 0 && mailers.length === 0
              ? "This tenant has no webhook or SMTP credential yet."
              : webhooks.length === 0
                ? "This tenant has no webhook credential yet."
                : "This tenant has no SMTP credential yet."}{" "}
            Add one on the{" "}
            <Link href={`/t/${tenantSlug}/connections`} className="text-indigo-700 underline">
              Connections
            </Link>{" "}
            page.
          </p>
        ) : null}
        <div>
          <Label htmlFor="notify-email-to">Email recipients</Label>
          <Input
            id="notify-email-to"
            name="emailTo"
            placeholder="approvers@example.com, cfo@example.com"
            defaultValue={current.emailTo.join(", ")}
          />
          <p className="mt-1 text-xs text-slate-500">Comma-separated, up to 20. Needed when an email server is chosen.</p>
        </div>
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700">Send on</legend>
          <div className="space-y-1">
            {EVENTS.map((name) => (
              <label key={name} className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name={`event.${name}`} defaultChecked={current.events.includes(name)} />
                {EVENT_LABELS[name]}
              </label>
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-500">
            Deadline warnings go out for tiers that set “warn before” minutes in the approval workflow.
          </p>
        </fieldset>
        {save.isError ? <ErrorState message={errorMessage(save.error)} /> : null}
        <Button type="submit" isBusy={save.isPending}>
          Save
        </Button>
      </form>
    </Card>
  );
}
