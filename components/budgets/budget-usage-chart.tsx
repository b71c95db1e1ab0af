"use client";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { inZone } from "./format";

/** One budget's use in its recent windows (those with any use), with its limit as a line. */
export function BudgetUsageChart({
  tenantSlug,
  budgetId,
  name,
  timezone,
}: {
  tenantSlug: string;
  budgetId: string;
  name: string;
  timezone: string;
}) {
  const trpc = useTRPC();
  const history = useQuery(trpc.budget.history.queryOptions({ tenantSlug, budgetId, windows: 14 }));
  if (history.isPending) return <Loading label="Loading usage…" />;
  if (history.isError) return <ErrorState message={errorMessage(history.error)} onRetry={() => void history.refetch()} />;
  if (history.data.length === 0) return <p className="py-2 text-sm text-slate-500">No use recorded yet.</p>;
  const data = history.data.map((window) => ({ window: inZone(window.windowStart, timezone), used: window.used, limit: window.limit }));
  const limit = history.data[history.data.length - 1]?.limit ?? 0;
  return (
    <figure aria-label={`Usage of ${name} by window`} className="h-48 w-full" data-testid="budget-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="window" tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} domain={[0, (max: number) => Math.max(max, limit)]} />
          <Tooltip />
          <ReferenceLine
            y={limit}
            stroke="#dc2626"
            strokeDasharray="4 4"
            label={{ value: `limit ${limit}`, fontSize: 11, fill: "#dc2626" }}
          />
          <Bar dataKey="used" name="used" fill="#4f46e5" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{data.map((window) => `${window.window}: ${window.used} of ${window.limit}`).join("; ")}</figcaption>
    </figure>
  );
}
