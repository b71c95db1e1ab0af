"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { MarkdownPreview } from "./markdown-preview";

export type TSkillDraft = { id?: string; name: string; description: string; body: string };

/** Create or edit a skill: markdown in a textarea, with a preview beside it. Every save is a new version. */
export function SkillEditor({
  tenantSlug,
  initial,
  onSaved,
  onCancel,
}: {
  tenantSlug: string;
  initial: TSkillDraft;
  onSaved: (id: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const [body, setBody] = useState(initial.body);
  const [isPreview, setIsPreview] = useState(false);
  const onSuccess = (skill: { id: string; name: string; version: number }) => {
    toast.success(`Saved "${skill.name}" (version ${skill.version}).`);
    onSaved(skill.id);
  };
  const create = useMutation(trpc.skill.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.skill.update.mutationOptions({ onSuccess }));
  const saving = initial.id ? update : create;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = { name: String(form.get("name") ?? "").trim(), description: String(form.get("description") ?? "").trim(), body };
    if (initial.id) update.mutate({ tenantSlug, skillId: initial.id, ...fields });
    else create.mutate({ tenantSlug, ...fields });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label={initial.id ? `Edit ${initial.name}` : "New skill"}>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <div>
          <Label htmlFor="skill-name">Name</Label>
          <Input
            id="skill-name"
            name="name"
            required
            defaultValue={initial.name}
            placeholder="refund-policy"
            pattern="[a-z0-9][a-z0-9._\-]{0,79}"
          />
          <p className="mt-1 text-xs text-slate-500">Agents read it with skills.get by this name: lower-case, no spaces.</p>
        </div>
        <div>
          <Label htmlFor="skill-description">Description</Label>
          <Input
            id="skill-description"
            name="description"
            defaultValue={initial.description}
            placeholder="When to use it"
            maxLength={500}
          />
        </div>
      </div>
      <div>
        <div className="mb-1 flex items-center justify-between">
          <Label htmlFor="skill-body">Instructions (markdown)</Label>
          <div role="tablist" className="flex gap-1 text-xs">
            <button
              type="button"
              role="tab"
              aria-selected={!isPreview}
              className={!isPreview ? "font-semibold" : "text-slate-500"}
              onClick={() => setIsPreview(false)}
            >
              Write
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={isPreview}
              className={isPreview ? "font-semibold" : "text-slate-500"}
              onClick={() => setIsPreview(true)}
            >
              Preview
            </button>
          </div>
        </div>
        {isPreview ? (
          <div className="min-h-64 rounded-md border border-slate-200 px-3 py-2">
            <MarkdownPreview markdown={body} />
          </div>
        ) : (
          <textarea
            id="skill-body"
            required
            value={body}
            onChange={(event) => setBody(event.target.value)}
            rows={16}
            maxLength={50_000}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
          />
        )}
      </div>
      {saving.isError ? <ErrorState message={errorMessage(saving.error)} /> : null}
      <div className="flex gap-2">
        <Button type="submit" isBusy={saving.isPending}>
          {initial.id ? "Save as a new version" : "Create skill"}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
