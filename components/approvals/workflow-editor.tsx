"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { VersionHistory } from "@/components/recovery/version-history";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

const DESCRIPTION =
  "Routes are tried in order; the first whose match fits the held call decides its tiers, else the default route. " +
  "Each save is a new version; requests already waiting keep the version they started with.";

/** Admins edit the tenant's approval workflow as JSON; the server validates it and explains what is wrong. */
export function WorkflowEditor({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const workflow = useQuery(trpc.approval.workflow.queryOptions({ tenantSlug }));
  if (workflow.isPending) return <Loading label="Loading the approval workflow…" />;
  if (workflow.isError) return <ErrorState message={errorMessage(workflow.error)} onRetry={() => void workflow.refetch()} />;
  const { id, version } = workflow.data;
  return (
    <div className="space-y-6">
      <WorkflowForm
        key={version ?? "default"}
        tenantSlug={tenantSlug}
        version={version}
        initialText={JSON.stringify(workflow.data.workflow, null, 2)}
      />
      {id ? (
        <Card
          title="Version history"
          description="Every saved version. Restoring one saves its routes and tiers again as a new version; requests already waiting keep theirs."
        >
          <VersionHistory
            key={version}
            tenantSlug={tenantSlug}
            kind="approval_workflow"
            id={id}
            title="Approval workflow"
            onRestored={() => void workflow.refetch()}
          />
        </Card>
      ) : null}
    </div>
  );
}

function WorkflowForm({ tenantSlug, version, initialText }: { tenantSlug: string; version: number | null; initialText: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(initialText);
  const [problems, setProblems] = useState<string[]>([]);
  const save = useMutation(
    trpc.approval.saveWorkflow.mutationOptions({
      onSuccess: (saved) => {
        setProblems([]);
        queryClient.setQueryData(trpc.approval.workflow.queryKey({ tenantSlug }), saved);
        toast.success(`Approval workflow saved as version ${saved.version}.`);
      },
      onError: (error) => {
        // A BAD_REQUEST carries the schema's issues as "path: message; path: message".
        const isInvalid = error.data?.code === "BAD_REQUEST";
        setProblems(isInvalid ? error.message.split("; ") : [errorMessage(error)]);
      },
    }),
  );

  function onSave() {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      setProblems([`Not valid JSON: ${error instanceof Error ? error.message : "cannot parse"}`]);
      return;
    }
    save.mutate({ tenantSlug, definition });
  }

  return (
    <Card
      title="Approval workflow"
      description={`${version === null ? "Built-in default (not saved yet)" : `Version ${version}`}. ${DESCRIPTION}`}
    >
      <div className="space-y-3">
        <label htmlFor="approval-workflow-json" className="block text-sm font-medium text-slate-700">
          Workflow (JSON)
        </label>
        <textarea
          id="approval-workflow-json"
          value={text}
          onChange={(event) => setText(event.target.value)}
          spellCheck={false}
          aria-invalid={problems.length > 0 || undefined}
          aria-describedby={problems.length > 0 ? "approval-workflow-problems" : undefined}
          className="min-h-[24rem] w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs focus:border-indigo-500 focus:outline-none"
        />
        {problems.length > 0 ? (
          <div
            id="approval-workflow-problems"
            role="alert"
            className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
          >
            <p className="font-medium">The workflow was not saved:</p>
            <ul className="mt-1 list-disc pl-5">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className="flex gap-2">
          <Button onClick={onSave} isBusy={save.isPending}>
            Save
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              setText(initialText);
              setProblems([]);
            }}
          >
            Discard changes
          </Button>
        </div>
      </div>
    </Card>
  );
}
