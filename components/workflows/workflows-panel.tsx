"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { actorLabel, when } from "@/components/recovery/format";
import { VersionHistory } from "@/components/recovery/version-history";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState, Loading, QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { SAMPLE_DEFINITION, WorkflowEditor } from "./workflow-editor";
import { WorkflowRun } from "./workflow-run";

function DefinitionView({ definition }: { definition: unknown }) {
  return (
    <pre className="max-h-96 overflow-auto rounded-md bg-slate-50 px-3 py-2 font-mono text-xs text-slate-800">
      {JSON.stringify(definition, null, 2)}
    </pre>
  );
}

/** The tenant's workflows: a list, the selected one (definition, run, edit, history) and a form for a new one. */
export function WorkflowsPanel({ tenantSlug, canEdit }: { tenantSlug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workflows = useQuery(trpc.workflow.list.queryOptions({ tenantSlug }));
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [isCreating, setIsCreating] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.workflow.pathKey() });

  return (
    <div className="space-y-6">
      <Card
        title="Workflows"
        description="Agents run these with workflow.run. Steps: http, transform, switch, if, delay, approval, message; nothing runs a shell or touches files."
        actions={
          canEdit && !isCreating ? (
            <Button
              onClick={() => {
                setIsCreating(true);
                setSelectedId(null);
              }}
            >
              New workflow
            </Button>
          ) : null
        }
      >
        {isCreating ? (
          <WorkflowEditor
            tenantSlug={tenantSlug}
            initial={{ name: "", description: "", definition: SAMPLE_DEFINITION }}
            onCancel={() => setIsCreating(false)}
            onSaved={(id) => {
              setIsCreating(false);
              setSelectedId(id);
              refresh();
            }}
          />
        ) : (
          <QueryStates query={workflows} isEmpty={workflows.data?.length === 0} emptyTitle="No workflows yet." errorText={errorMessage}>
            <Table
              testId="workflows"
              columns={[
                { label: "Name" },
                { label: "Description" },
                { label: "Steps" },
                { label: "Version", align: "right" },
                { label: "Updated" },
              ]}
            >
              {workflows.data?.map((workflow) => (
                <Row key={workflow.id} className={workflow.id === selectedId ? "bg-indigo-50" : undefined}>
                  <td className="py-2">
                    <button type="button" className="font-mono text-indigo-700 hover:underline" onClick={() => setSelectedId(workflow.id)}>
                      {workflow.name}
                    </button>
                  </td>
                  <td className="py-2 text-slate-600">{workflow.description || "—"}</td>
                  <td className="py-2">
                    <div className="flex flex-wrap gap-1">
                      {workflow.nodeTypes.map((type) => (
                        <Badge key={type}>{type}</Badge>
                      ))}
                    </div>
                  </td>
                  <td className="py-2 text-right font-mono">v{workflow.version}</td>
                  <td className="py-2 text-xs text-slate-500">{when(workflow.updatedAt)}</td>
                </Row>
              ))}
            </Table>
          </QueryStates>
        )}
      </Card>
      {selectedId && !isCreating ? (
        <WorkflowDetail
          key={selectedId}
          tenantSlug={tenantSlug}
          workflowId={selectedId}
          canEdit={canEdit}
          onChanged={refresh}
          onGone={() => setSelectedId(null)}
        />
      ) : null}
    </div>
  );
}

function WorkflowDetail({
  tenantSlug,
  workflowId,
  canEdit,
  onChanged,
  onGone,
}: {
  tenantSlug: string;
  workflowId: string;
  canEdit: boolean;
  onChanged: () => void;
  onGone: () => void;
}) {
  const trpc = useTRPC();
  const workflow = useQuery(trpc.workflow.get.queryOptions({ tenantSlug, workflowId }));
  const [isEditing, setIsEditing] = useState(false);
  const remove = useMutation(
    trpc.workflow.delete.mutationOptions({
      onSuccess: () => {
        toast.success("Workflow deleted. The Trash can bring it back.");
        onChanged();
        onGone();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  if (workflow.isPending) return <Loading label="Loading the workflow…" />;
  if (workflow.isError) return <ErrorState message={errorMessage(workflow.error)} onRetry={() => void workflow.refetch()} />;
  const current = workflow.data;

  return (
    <Card
      title={current.name}
      description={`${current.description || "No description"} · ${current.nodeCount} steps · version ${current.version} · by ${actorLabel(current.updatedBy)}`}
      actions={
        canEdit && !isEditing ? (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setIsEditing(true)}>
              Edit
            </Button>
            <Button variant="danger" isBusy={remove.isPending} onClick={() => remove.mutate({ tenantSlug, workflowId })}>
              Delete
            </Button>
          </div>
        ) : null
      }
    >
      {isEditing ? (
        <WorkflowEditor
          tenantSlug={tenantSlug}
          initial={{ id: current.id, name: current.name, description: current.description, definition: current.definition }}
          onCancel={() => setIsEditing(false)}
          onSaved={() => {
            setIsEditing(false);
            void workflow.refetch();
            onChanged();
          }}
        />
      ) : (
        <div className="space-y-4">
          <DefinitionView definition={current.definition} />
          <WorkflowRun tenantSlug={tenantSlug} workflowId={current.id} />
        </div>
      )}
      <h3 className="mb-2 mt-6 text-sm font-semibold text-slate-900">Version history</h3>
      <VersionHistory
        key={current.version}
        tenantSlug={tenantSlug}
        kind="workflow"
        id={current.id}
        title={current.name}
        canRestore={canEdit}
        renderContent={(content) => <DefinitionView definition={(content as { definition?: unknown } | null)?.definition ?? content} />}
        onRestored={() => {
          void workflow.refetch();
          onChanged();
        }}
      />
    </Card>
  );
}
