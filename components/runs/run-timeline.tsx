"use client";
import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { RunOutcomeBadge } from "./status-badge";

const KIND_LABELS: Record<string, string> = {
  message: "Message",
  plan: "Plan",
  decision: "Policy decision",
  approval: "Approval",
  tool_call: "Tool call",
  tool_result: "Tool result",
  run: "Run",
  other: "Event",
};

/** Step through a recorded run: the list of steps, and the current one in full. */
export function RunTimeline({ tenantSlug, runId }: { tenantSlug: string; runId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.run.get.queryOptions({ tenantSlug, runId }));
  const [current, setCurrent] = useState(0);
  const count = query.data?.steps.length ?? 0;

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      if (event.key === "ArrowRight" || event.key === "j") setCurrent((index) => Math.min(index + 1, Math.max(count - 1, 0)));
      if (event.key === "ArrowLeft" || event.key === "k") setCurrent((index) => Math.max(index - 1, 0));
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [count]);

  if (query.isPending) return <Loading label="Loading the run…" />;
  if (query.isError) return <ErrorState message={errorMessage(query.error)} onRetry={() => void query.refetch()} />;
  const { run, steps } = query.data;
  const step = steps[current];

  return (
    <div className="space-y-6">
      <Card title={run.title}>
        <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
          <dt className="text-slate-500">Status</dt>
          <dd>
            <RunOutcomeBadge outcome={run.outcome} />
          </dd>
          <dt className="text-slate-500">Principal</dt>
          <dd className="font-mono text-xs">{run.principal}</dd>
          <dt className="text-slate-500">Started</dt>
          <dd>{format(run.startedAt, "yyyy-MM-dd HH:mm:ss")}</dd>
          <dt className="text-slate-500">Untrusted input</dt>
          <dd>{run.isTainted ? <Badge tone="warning">tainted</Badge> : "no"}</dd>
        </dl>
      </Card>
      {steps.length === 0 ? (
        <Card>
          <p className="text-sm text-slate-500">This run has no recorded events (they may have been removed by retention).</p>
        </Card>
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-[18rem_1fr]">
          <ol aria-label="Timeline" className="space-y-1">
            {steps.map((item, index) => (
              <li key={item.seq}>
                <button
                  type="button"
                  onClick={() => setCurrent(index)}
                  aria-current={index === current ? "step" : undefined}
                  className={cn(
                    "w-full rounded-md px-3 py-2 text-left text-sm",
                    index === current ? "bg-indigo-50 text-indigo-800" : "hover:bg-slate-100",
                  )}
                >
                  <span className="font-medium">{KIND_LABELS[item.kind]}</span>{" "}
                  <span className="font-mono text-xs text-slate-500">{item.type}</span>
                </button>
              </li>
            ))}
          </ol>
          {step ? (
            <Card
              title={`Step ${current + 1} of ${steps.length}: ${KIND_LABELS[step.kind]}`}
              description={`${step.type} · event ${step.seq} · ${format(step.createdAt, "HH:mm:ss")}`}
            >
              <pre data-testid="step-payload" className="max-h-[28rem] overflow-auto rounded-md bg-slate-900 p-4 text-xs text-slate-100">
                {JSON.stringify(step.payload, null, 2)}
              </pre>
              <p className="mt-2 break-all font-mono text-[11px] text-slate-400">hash {step.hash}</p>
              <div className="mt-4 flex items-center gap-2">
                <Button variant="secondary" onClick={() => setCurrent((index) => Math.max(index - 1, 0))} disabled={current === 0}>
                  ← Previous
                </Button>
                <Button
                  variant="secondary"
                  onClick={() => setCurrent((index) => Math.min(index + 1, steps.length - 1))}
                  disabled={current === steps.length - 1}
                >
                  Next →
                </Button>
                <span className="text-xs text-slate-500">or use ← and → keys</span>
              </div>
            </Card>
          ) : null}
        </div>
      )}
    </div>
  );
}
