"use client";
import { useMutation } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

function describe(step: { call?: { tool: string; args: unknown }; final?: string } | null): string {
  if (!step) return "(nothing: the recorded run stopped here)";
  if (step.call) return `${step.call.tool} ${JSON.stringify(step.call.args)}`;
  return `answer: ${step.final ?? ""}`;
}

/** Re-run the run's planner against the recorded results (nothing executes) and show where it diverges. */
export function ReplayPanel({ tenantSlug, runId, canReplay }: { tenantSlug: string; runId: string; canReplay: boolean }) {
  const trpc = useTRPC();
  const replay = useMutation(trpc.run.replay.mutationOptions());
  return (
    <Card
      title="Replay"
      description="Ask the planner that planned this run again, serving it the recorded tool results. Nothing executes; the first step where it asks for something else is the divergence."
    >
      <div className="space-y-3">
        <Button
          variant="secondary"
          isBusy={replay.isPending}
          disabled={!canReplay}
          onClick={() => replay.mutate({ tenantSlug, runId })}
          title={canReplay ? undefined : "Members and above can replay runs."}
        >
          Replay this run
        </Button>
        {replay.isError ? <ErrorState message={errorMessage(replay.error)} /> : null}
        {replay.data ? (
          <div className="space-y-2" data-testid="replay-result">
            <p className="text-sm">
              Planner <span className="font-mono">{replay.data.planner}</span>:{" "}
              {replay.data.divergedAt === null ? (
                <Badge tone="success">no divergence</Badge>
              ) : (
                <Badge tone="warning">diverged at step {replay.data.divergedAt + 1}</Badge>
              )}
            </p>
            <ol className="space-y-1 text-xs">
              {replay.data.steps.map((step) => (
                <li key={step.index} className="grid grid-cols-[3rem_1fr_1fr] gap-2 rounded border border-slate-100 p-2">
                  <span className={step.isSame ? "text-emerald-700" : "font-semibold text-amber-800"}>
                    {step.index + 1} {step.isSame ? "same" : "differs"}
                  </span>
                  <span className="break-all font-mono text-slate-600">
                    recorded: {describe(step.recorded ? { call: step.recorded } : null)}
                  </span>
                  <span className="break-all font-mono text-slate-800">replayed: {describe(step.replayed)}</span>
                </li>
              ))}
            </ol>
          </div>
        ) : null}
      </div>
    </Card>
  );
}
