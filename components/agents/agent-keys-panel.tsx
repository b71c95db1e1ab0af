"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { format } from "date-fns";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/field";
import { ErrorState, QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TAgentKeyView } from "@/server/agents/schemas";

const when = (date: Date | null) => (date ? format(new Date(date), "yyyy-MM-dd HH:mm") : "never");

/**
 * API keys of agent approvers (an agent id listed in an approval tier). A new key
 * is shown once, right here; afterwards only its first characters.
 */
export function AgentKeysPanel({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.agentKey.list.queryOptions({ tenantSlug }));
  const [created, setCreated] = useState<{ agentId: string; apiKey: string } | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.agentKey.list.queryKey({ tenantSlug }) });
  const create = useMutation(
    trpc.agentKey.create.mutationOptions({
      onSuccess: (key) => {
        setCreated({ agentId: key.agentId, apiKey: key.apiKey });
        refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.agentKey.revoke.mutationOptions({
      onSuccess: (key) => {
        toast.success(`The key ${key.keyPrefix}… of ${key.agentId} is revoked; it is refused from now on.`);
        setConfirmingId(null);
        refresh();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    setCreated(null);
    create.mutate(
      { tenantSlug, agentId: String(form.get("agentId") ?? "").trim(), label: String(form.get("label") ?? "").trim() },
      { onSuccess: () => element.reset() },
    );
  }

  return (
    <Card
      title="Agent approvers"
      description={`API keys for agents named in an approval tier. An agent lists what it may decide with GET /api/v1/tenants/${tenantSlug}/approvals and decides with POST …/approvals/<request id>/decision, sending "Authorization: Bearer <key>".`}
    >
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" aria-label="New agent key">
        <div className="w-56">
          <Label htmlFor="agent-key-agent">Agent id</Label>
          <Input id="agent-key-agent" name="agentId" required maxLength={80} placeholder="risk-bot" />
        </div>
        <div className="min-w-56 flex-1">
          <Label htmlFor="agent-key-label">Label</Label>
          <Input id="agent-key-label" name="label" required maxLength={80} placeholder="Risk checks, production" />
        </div>
        <Button type="submit" isBusy={create.isPending}>
          Create key
        </Button>
      </form>
      {create.isError ? (
        <div className="mt-3">
          <ErrorState message={errorMessage(create.error)} />
        </div>
      ) : null}
      {created ? <NewKey created={created} onDismiss={() => setCreated(null)} /> : null}

      <div className="mt-5">
        <QueryStates
          query={keys}
          isEmpty={keys.data?.length === 0}
          emptyTitle="No agent keys yet. Create one for each agent listed in an approval tier."
          errorText={errorMessage}
        >
          <Table
            testId="agent-keys"
            columns={[
              { label: "Agent" },
              { label: "Label" },
              { label: "Key" },
              { label: "Created" },
              { label: "Last used" },
              { label: "" },
            ]}
          >
            {keys.data?.map((key) => (
              <KeyRow
                key={key.id}
                agentKey={key}
                isConfirming={confirmingId === key.id}
                isBusy={revoke.isPending && confirmingId === key.id}
                onAsk={() => setConfirmingId(key.id)}
                onCancel={() => setConfirmingId(null)}
                onRevoke={() => revoke.mutate({ tenantSlug, keyId: key.id })}
              />
            ))}
          </Table>
        </QueryStates>
      </div>
    </Card>
  );
}

function NewKey({ created, onDismiss }: { created: { agentId: string; apiKey: string }; onDismiss: () => void }) {
  return (
    <div className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" role="status" data-testid="new-agent-key">
      <p className="font-medium text-amber-900">
        The key of {created.agentId}. Copy it now: you will not see it again. Only a hash is stored, so a lost key cannot be shown; revoke
        it and create another.
      </p>
      <div className="mt-2 flex gap-2">
        <Input
          readOnly
          value={created.apiKey}
          aria-label="New agent API key"
          className="font-mono"
          onFocus={(event) => event.currentTarget.select()}
        />
        <Button
          type="button"
          variant="secondary"
          onClick={() =>
            void navigator.clipboard
              ?.writeText(created.apiKey)
              .then(() => toast.success("Key copied."))
              .catch(() => toast.error("Could not copy: select the key and copy it by hand."))
          }
        >
          Copy
        </Button>
        <Button type="button" variant="ghost" onClick={onDismiss}>
          Done
        </Button>
      </div>
    </div>
  );
}

function KeyRow({
  agentKey,
  isConfirming,
  isBusy,
  onAsk,
  onCancel,
  onRevoke,
}: {
  agentKey: TAgentKeyView;
  isConfirming: boolean;
  isBusy: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onRevoke: () => void;
}) {
  return (
    <Row>
      <td className="py-2 font-mono text-xs">{agentKey.agentId}</td>
      <td className="py-2">{agentKey.label}</td>
      <td className="py-2 font-mono text-xs">{agentKey.keyPrefix}…</td>
      <td className="py-2 text-slate-500">{when(agentKey.createdAt)}</td>
      <td className="py-2 text-slate-500">{when(agentKey.lastUsedAt)}</td>
      <td className="py-2 text-right">
        {agentKey.revokedAt ? (
          <Badge tone="neutral">revoked {when(agentKey.revokedAt)}</Badge>
        ) : isConfirming ? (
          <span className="inline-flex items-center gap-2">
            <span className="text-xs text-slate-600">Agents using it are refused at once.</span>
            <Button variant="danger" isBusy={isBusy} onClick={onRevoke}>
              Revoke
            </Button>
            <Button variant="ghost" disabled={isBusy} onClick={onCancel}>
              Cancel
            </Button>
          </span>
        ) : (
          <Button variant="danger" onClick={onAsk} aria-label={`Revoke the key ${agentKey.keyPrefix}… of ${agentKey.agentId}`}>
            Revoke
          </Button>
        )}
      </td>
    </Row>
  );
}
