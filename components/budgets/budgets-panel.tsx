"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { VersionHistory } from "@/components/recovery/version-history";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { BudgetUsageChart } from "./budget-usage-chart";
import { METRIC_LABELS, inZone, percentUsed } from "./format";

type TBudget = {
  id: string;
  name: string;
  metric: string;
  period: string;
  limitAmount: number;
  principal: string | null;
  tool: string | null;
  version: number;
  windowStart: Date;
  resetsAt: Date;
  used: number;
  reserved: number;
};

/** The tenant's budgets: usage against each limit, a chart per budget, and for admins the forms to set them. */
export function BudgetsPanel({ tenantSlug, canEdit }: { tenantSlug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const budgets = useQuery({ ...trpc.budget.list.queryOptions({ tenantSlug }), refetchInterval: 15_000 });
  const settings = useQuery(trpc.budget.settings.queryOptions({ tenantSlug }));
  if (budgets.isPending || settings.isPending) return <Loading label="Loading budgets…" />;
  if (budgets.isError) return <ErrorState message={errorMessage(budgets.error)} onRetry={() => void budgets.refetch()} />;
  if (settings.isError) return <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />;
  const { timezone } = settings.data;
  return (
    <div className="space-y-6">
      {budgets.data.length === 0 ? (
        <EmptyState title="No budgets yet.">
          {canEdit ? "Add one below: calls beyond a budget are refused, with the budget named." : "An admin can add them."}
        </EmptyState>
      ) : (
        budgets.data.map((budget) => (
          <BudgetCard key={budget.id} tenantSlug={tenantSlug} budget={budget} timezone={timezone} canEdit={canEdit} />
        ))
      )}
      {canEdit ? <NewBudget tenantSlug={tenantSlug} /> : null}
      <TimezoneSetting tenantSlug={tenantSlug} timezone={timezone} canEdit={canEdit} />
    </div>
  );
}

function scopeOf(budget: TBudget): string {
  const parts = [budget.tool ? `tool ${budget.tool}` : "every tool", budget.principal ? `by ${budget.principal}` : "by everyone"];
  return parts.join(", ");
}

function BudgetCard({
  tenantSlug,
  budget,
  timezone,
  canEdit,
}: {
  tenantSlug: string;
  budget: TBudget;
  timezone: string;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [panel, setPanel] = useState<"none" | "edit" | "history">("none");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
  const remove = useMutation(
    trpc.budget.delete.mutationOptions({
      onSuccess: () => {
        toast.success(`Budget "${budget.name}" moved to the Trash; it no longer applies.`);
        refresh();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const inUse = budget.used + budget.reserved;
  const percent = percentUsed(inUse, budget.limitAmount);
  const noun = METRIC_LABELS[budget.metric] ?? budget.metric;
  return (
    <Card
      title={budget.name}
      description={`${budget.limitAmount} ${noun} per ${budget.period} · ${scopeOf(budget)} · version ${budget.version}`}
      actions={
        canEdit ? (
          <div className="flex gap-1">
            <Button variant="ghost" onClick={() => setPanel(panel === "edit" ? "none" : "edit")} aria-expanded={panel === "edit"}>
              Change limit
            </Button>
            <Button variant="ghost" onClick={() => setPanel(panel === "history" ? "none" : "history")} aria-expanded={panel === "history"}>
              History
            </Button>
            <Button variant="ghost" isBusy={remove.isPending} onClick={() => remove.mutate({ tenantSlug, budgetId: budget.id })}>
              Delete
            </Button>
          </div>
        ) : null
      }
    >
      <div role="region" data-testid="budget" aria-label={`Budget ${budget.name}`} className="space-y-3">
        {percent >= 100 ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            Used up: further {noun} are refused until {inZone(budget.resetsAt, timezone)} ({timezone}).
          </p>
        ) : percent >= 80 ? (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {percent}% used: {budget.limitAmount - inUse} {noun} left until {inZone(budget.resetsAt, timezone)} ({timezone}).
          </p>
        ) : null}
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="font-medium text-slate-900" data-testid="budget-usage">
            {inUse} of {budget.limitAmount} used
          </span>
          {budget.reserved > 0 ? <Badge>{budget.reserved} running</Badge> : null}
          <span className="text-slate-500">
            this {budget.period}, since {inZone(budget.windowStart, timezone)}; resets {inZone(budget.resetsAt, timezone)} ({timezone})
          </span>
        </div>
        <div
          role="meter"
          aria-label={`${budget.name} used`}
          aria-valuemin={0}
          aria-valuemax={budget.limitAmount}
          aria-valuenow={Math.min(inUse, budget.limitAmount)}
          className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
        >
          <div
            className={percent >= 100 ? "h-full bg-red-600" : percent >= 80 ? "h-full bg-amber-500" : "h-full bg-indigo-600"}
            style={{ width: `${percent}%` }}
          />
        </div>
        <BudgetUsageChart tenantSlug={tenantSlug} budgetId={budget.id} name={budget.name} timezone={timezone} />
        {panel === "edit" ? <ChangeLimit tenantSlug={tenantSlug} budget={budget} onDone={() => setPanel("none")} /> : null}
        {panel === "history" ? (
          <VersionHistory
            key={budget.version}
            tenantSlug={tenantSlug}
            kind="budget"
            id={budget.id}
            title={budget.name}
            onRestored={refresh}
          />
        ) : null}
      </div>
    </Card>
  );
}

function ChangeLimit({ tenantSlug, budget, onDone }: { tenantSlug: string; budget: TBudget; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.budget.update.mutationOptions({
      onSuccess: (saved) => {
        toast.success(`Budget "${saved.name}" is now ${saved.limitAmount} per ${saved.period} (version ${saved.version}).`);
        void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
        onDone();
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ tenantSlug, budgetId: budget.id, limitAmount: Number(new FormData(event.currentTarget).get("limit")) });
  }
  const id = `limit-${budget.id}`;
  return (
    <form onSubmit={onSubmit} aria-label={`Change the limit of ${budget.name}`} className="flex flex-wrap items-end gap-3">
      <div>
        <Label htmlFor={id}>New limit</Label>
        <Input id={id} name="limit" type="number" min={0} max={1_000_000_000} required defaultValue={budget.limitAmount} className="w-36" />
      </div>
      <Button type="submit" isBusy={update.isPending}>
        Save as a new version
      </Button>
      {update.isError ? <ErrorState message={errorMessage(update.error)} /> : null}
    </form>
  );
}

function NewBudget({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.budget.create.mutationOptions({
      onSuccess: (created) => {
        toast.success(`Budget "${created.name}" applies from now on.`);
        void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    create.mutate({
      tenantSlug,
      name: text("name"),
      metric: text("metric") as "tool_calls" | "outbound_messages",
      period: text("period") as "minute" | "hour" | "day" | "month",
      limitAmount: Number(text("limitAmount")),
      tool: text("tool") || null,
      principal: text("principal") || null,
    });
  }
  return (
    <Card title="New budget" description="Calls beyond it are refused, naming the budget; the agent is told when it resets.">
      <form onSubmit={onSubmit} aria-label="New budget" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <div>
          <Label htmlFor="budget-name">Name</Label>
          <Input id="budget-name" name="name" required maxLength={80} placeholder="Messages per day" />
        </div>
        <div>
          <Label htmlFor="budget-metric">Counts</Label>
          <Select id="budget-metric" name="metric" defaultValue="tool_calls" className="w-full">
            <option value="tool_calls">Tool calls</option>
            <option value="outbound_messages">Outbound messages</option>
          </Select>
        </div>
        <div>
          <Label htmlFor="budget-limit">Limit</Label>
          <Input id="budget-limit" name="limitAmount" type="number" min={0} max={1_000_000_000} required />
        </div>
        <div>
          <Label htmlFor="budget-period">Per</Label>
          <Select id="budget-period" name="period" defaultValue="day" className="w-full">
            <option value="minute">minute</option>
            <option value="hour">hour</option>
            <option value="day">day</option>
            <option value="month">month</option>
          </Select>
        </div>
        <div>
          <Label htmlFor="budget-tool">Only this tool (optional)</Label>
          <Input id="budget-tool" name="tool" placeholder="payments.transfer" />
        </div>
        <div>
          <Label htmlFor="budget-principal">Only this principal (optional)</Label>
          <Input id="budget-principal" name="principal" placeholder="agent:billing-bot" />
        </div>
        <div className="sm:col-span-2 lg:col-span-3">
          <Button type="submit" isBusy={create.isPending}>
            Add budget
          </Button>
        </div>
      </form>
      {create.isError ? (
        <div className="mt-3">
          <ErrorState message={errorMessage(create.error)} />
        </div>
      ) : null}
    </Card>
  );
}

function TimezoneSetting({ tenantSlug, timezone, canEdit }: { tenantSlug: string; timezone: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.budget.updateSettings.mutationOptions({
      onSuccess: (saved) => {
        toast.success(`Budget windows now follow ${saved.timezone}.`);
        void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ tenantSlug, timezone: String(new FormData(event.currentTarget).get("timezone") ?? "").trim() });
  }
  return (
    <Card title="Time zone" description={`Days and months of every budget start at midnight in ${timezone}.`}>
      {canEdit ? (
        <form onSubmit={onSubmit} aria-label="Budget time zone" className="flex flex-wrap items-end gap-3">
          <div>
            <Label htmlFor="budget-timezone">IANA time zone</Label>
            <Input id="budget-timezone" name="timezone" required defaultValue={timezone} className="w-64" />
          </div>
          <Button type="submit" isBusy={update.isPending}>
            Save
          </Button>
          {update.isError ? <ErrorState message={errorMessage(update.error)} /> : null}
        </form>
      ) : (
        <p className="text-sm text-slate-600">Only admins change it.</p>
      )}
    </Card>
  );
}
