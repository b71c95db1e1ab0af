"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { actorLabel, when } from "@/components/recovery/format";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Loading, ErrorState, QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { MarkdownPreview } from "./markdown-preview";
import { SkillEditor, type TSkillDraft } from "./skill-editor";
import { VersionHistory } from "@/components/recovery/version-history";

const NEW_SKILL: TSkillDraft = { name: "", description: "", body: "# Title\n\nWhat the agent should do, step by step.\n" };

/** The tenant's skills: a list, the selected skill (preview, edit, history) and a form for a new one. */
export function SkillsPanel({ tenantSlug, canEdit }: { tenantSlug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const skills = useQuery(trpc.skill.list.queryOptions({ tenantSlug }));
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [isCreating, setIsCreating] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.skill.pathKey() });

  return (
    <div className="space-y-6">
      <Card
        title="Skills"
        description="Markdown instructions your agents read with skills.list and skills.get. Every change is a version; deleted skills wait in the Trash."
        actions={
          canEdit && !isCreating ? (
            <Button
              onClick={() => {
                setIsCreating(true);
                setSelectedId(null);
              }}
            >
              New skill
            </Button>
          ) : null
        }
      >
        {isCreating ? (
          <SkillEditor
            tenantSlug={tenantSlug}
            initial={NEW_SKILL}
            onCancel={() => setIsCreating(false)}
            onSaved={(id) => {
              setIsCreating(false);
              setSelectedId(id);
              refresh();
            }}
          />
        ) : (
          <QueryStates query={skills} isEmpty={skills.data?.length === 0} emptyTitle="No skills yet." errorText={errorMessage}>
            <Table
              testId="skills"
              columns={[{ label: "Name" }, { label: "Description" }, { label: "Version", align: "right" }, { label: "Updated" }]}
            >
              {skills.data?.map((skill) => (
                <Row key={skill.id} className={skill.id === selectedId ? "bg-indigo-50" : undefined}>
                  <td className="py-2">
                    <button type="button" className="font-mono text-indigo-700 hover:underline" onClick={() => setSelectedId(skill.id)}>
                      {skill.name}
                    </button>
                  </td>
                  <td className="py-2 text-slate-600">{skill.description || "—"}</td>
                  <td className="py-2 text-right font-mono">v{skill.version}</td>
                  <td className="py-2 text-xs text-slate-500">{when(skill.updatedAt)}</td>
                </Row>
              ))}
            </Table>
          </QueryStates>
        )}
      </Card>
      {selectedId && !isCreating ? (
        <SkillDetail
          key={selectedId}
          tenantSlug={tenantSlug}
          skillId={selectedId}
          canEdit={canEdit}
          onChanged={refresh}
          onGone={() => setSelectedId(null)}
        />
      ) : null}
    </div>
  );
}

function SkillDetail({
  tenantSlug,
  skillId,
  canEdit,
  onChanged,
  onGone,
}: {
  tenantSlug: string;
  skillId: string;
  canEdit: boolean;
  onChanged: () => void;
  onGone: () => void;
}) {
  const trpc = useTRPC();
  const skill = useQuery(trpc.skill.get.queryOptions({ tenantSlug, skillId }));
  const [isEditing, setIsEditing] = useState(false);
  const remove = useMutation(
    trpc.skill.delete.mutationOptions({
      onSuccess: () => {
        toast.success("Skill deleted. The Trash can bring it back.");
        onChanged();
        onGone();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  if (skill.isPending) return <Loading label="Loading the skill…" />;
  if (skill.isError) return <ErrorState message={errorMessage(skill.error)} onRetry={() => void skill.refetch()} />;
  const current = skill.data;

  return (
    <Card
      title={current.name}
      description={`${current.description || "No description"} · version ${current.version} · by ${actorLabel(current.updatedBy)}`}
      actions={
        canEdit && !isEditing ? (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setIsEditing(true)}>
              Edit
            </Button>
            <Button variant="danger" isBusy={remove.isPending} onClick={() => remove.mutate({ tenantSlug, skillId })}>
              Delete
            </Button>
          </div>
        ) : null
      }
    >
      {isEditing ? (
        <SkillEditor
          tenantSlug={tenantSlug}
          initial={{ id: current.id, name: current.name, description: current.description, body: current.body }}
          onCancel={() => setIsEditing(false)}
          onSaved={() => {
            setIsEditing(false);
            void skill.refetch();
            onChanged();
          }}
        />
      ) : (
        <MarkdownPreview markdown={current.body} />
      )}
      <h3 className="mb-2 mt-6 text-sm font-semibold text-slate-900">Version history</h3>
      <VersionHistory
        key={current.version}
        tenantSlug={tenantSlug}
        kind="skill"
        id={current.id}
        title={current.name}
        canRestore={canEdit}
        renderContent={(content) => <MarkdownPreview markdown={String((content as { body?: unknown } | null)?.body ?? "")} />}
        onRestored={() => {
          void skill.refetch();
          onChanged();
        }}
      />
    </Card>
  );
}
