"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

const TONES = { completed: "success", waiting_approval: "warning", failed: "danger", denied: "danger" } as const;

/** Run a workflow as yourself with an input object; each step passes the gate as your call. */
export function WorkflowRun({ tenantSlug, workflowId }: { tenantSlug: string; workflowId: string }) {
  const trpc = useTRPC();
  const [input, setInput] = useState("{}");
  const [inputProblem, setInputProblem] = useState<string | null>(null);
  const run = useMutation(trpc.workflow.run.mutationOptions());

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(input) as unknown;
    } catch (error) {
      setInputProblem(`The input is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`);
      return;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      setInputProblem('The input must be a JSON object, e.g. { "name": "Ada" }.');
      return;
    }
    setInputProblem(null);
    run.mutate({ tenantSlug, workflowId, input: parsed as Record<string, never> });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-2" aria-label="Run the workflow">
      <Label htmlFor="workflow-input">Input (JSON object, read as $.input)</Label>
      <textarea
        id="workflow-input"
        value={input}
        onChange={(event) => setInput(event.target.value)}
        rows={3}
        spellCheck={false}
        className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
      />
      {inputProblem ? <ErrorState message={inputProblem} /> : null}
      <Button type="submit" isBusy={run.isPending}>
        Run
      </Button>
      {run.isError ? <ErrorState message={errorMessage(run.error)} /> : null}
      {run.data ? (
        <div className="space-y-1 rounded-md border border-slate-200 px-3 py-2 text-sm" data-testid="workflow-run-result">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={TONES[run.data.status]}>{run.data.status.replace("_", " ")}</Badge>
            <span>{run.data.detail}</span>
            <Link href={`/t/${tenantSlug}/runs/${run.data.runId}`} className="ml-auto text-indigo-700 underline">
              See every step in the run
            </Link>
          </div>
          {run.data.result ? (
            <pre className="max-h-60 overflow-auto whitespace-pre-wrap break-words text-xs text-slate-700">
              {JSON.stringify(run.data.result, null, 2)}
            </pre>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
