"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TNodeType } from "@/server/workflows/definition";

export type TWorkflowDraft = { id?: string; name: string; description: string; definition: unknown };

/** What each allowed step does; the Record type keeps this list in step with the server's allowlist. */
const NODE_HELP: Record<TNodeType, string> = {
  http: "method, url, headers, body: a request through the SSRF guard (public http(s) only), as a gate call; its result is $.nodes.<id> (status, body).",
  transform: 'set: { "out": "$.nodes.fetch.body.items[0].title", "text": "Hello {{input.name}}" }: picks and templates, no code.',
  switch: "cases: [{ value, op, operand, next }], default: the first matching case decides the next step.",
  if: "value, op, operand, then, else. Operators: equals, notEquals, contains, notContains, greaterThan, greaterOrEqual, lessThan, lessOrEqual, exists, notExists.",
  delay: "seconds: a wait of at most 30 seconds.",
  approval: "message: the workflow stops here until people approve; approving continues it.",
  message: 'args: the arguments of message.send, e.g. { "channel": "webhook", "text": "…" }, as a gate call.',
};

export const SAMPLE_DEFINITION = {
  start: "fetch",
  nodes: [
    { id: "fetch", type: "http", method: "GET", url: "https://api.example.com/status", next: "check" },
    { id: "check", type: "if", value: "$.nodes.fetch.body.state", op: "equals", operand: "down", then: "ask", else: "fine" },
    { id: "ask", type: "approval", message: "The status page says down. Tell the team?", next: "tell" },
    { id: "tell", type: "message", args: { channel: "webhook", text: "Status: {{nodes.fetch.body.state}}" } },
    { id: "fine", type: "transform", set: { ok: true } },
  ],
};

/** Create or edit a workflow as JSON; problems (JSON, allowlist, references, cycles) show inline before anything is saved. */
export function WorkflowEditor({
  tenantSlug,
  initial,
  onSaved,
  onCancel,
}: {
  tenantSlug: string;
  initial: TWorkflowDraft;
  onSaved: (id: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const [text, setText] = useState(() => JSON.stringify(initial.definition, null, 2));
  const [problems, setProblems] = useState<string[]>([]);
  const validate = useMutation(trpc.workflow.validate.mutationOptions());
  const save = useMutation(
    trpc.workflow.save.mutationOptions({
      onSuccess: (workflow) => {
        toast.success(`Saved "${workflow.name}" (version ${workflow.version}).`);
        onSaved(workflow.id);
      },
      onError: (error) => setProblems([errorMessage(error)]),
    }),
  );

  async function check(): Promise<unknown | null> {
    let definition: unknown;
    try {
      definition = JSON.parse(text) as unknown;
    } catch (error) {
      setProblems([`The definition is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`]);
      return null;
    }
    try {
      const answer = await validate.mutateAsync({ tenantSlug, definition });
      setProblems(answer.errors);
      return answer.isValid ? definition : null;
    } catch (error) {
      setProblems([errorMessage(error)]);
      return null;
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const definition = await check();
    if (definition === null) return;
    save.mutate({
      tenantSlug,
      ...(initial.id ? { workflowId: initial.id } : {}),
      name: String(form.get("name") ?? "").trim(),
      description: String(form.get("description") ?? "").trim(),
      definition,
    });
  }

  return (
    <form
      onSubmit={(event) => void onSubmit(event)}
      className="space-y-3"
      aria-label={initial.id ? `Edit ${initial.name}` : "New workflow"}
    >
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <div>
          <Label htmlFor="workflow-name">Name</Label>
          <Input
            id="workflow-name"
            name="name"
            required
            defaultValue={initial.name}
            placeholder="status-check"
            pattern="[a-z0-9][a-z0-9._\-]{0,79}"
          />
          <p className="mt-1 text-xs text-slate-500">Agents run it with workflow.run by this name.</p>
        </div>
        <div>
          <Label htmlFor="workflow-description">Description</Label>
          <Input id="workflow-description" name="description" defaultValue={initial.description} maxLength={500} />
        </div>
      </div>
      <div>
        <Label htmlFor="workflow-definition">Definition (JSON)</Label>
        <textarea
          id="workflow-definition"
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={20}
          spellCheck={false}
          aria-invalid={problems.length > 0 || undefined}
          aria-describedby="workflow-problems"
          className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
        />
      </div>
      <div id="workflow-problems" aria-live="polite">
        {problems.length > 0 ? (
          <ul role="alert" className="list-disc space-y-1 rounded-md border border-red-200 bg-red-50 py-2 pl-8 pr-3 text-sm text-red-800">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <details className="text-xs text-slate-600">
        <summary className="cursor-pointer">Allowed steps</summary>
        <dl className="mt-2 grid grid-cols-[6rem_1fr] gap-x-3 gap-y-1">
          {Object.entries(NODE_HELP).map(([type, help]) => (
            <div key={type} className="contents">
              <dt className="font-mono">{type}</dt>
              <dd>{help}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-2">
          Every step has an id and a next (switch and if choose theirs). No step runs a shell, code or touches files; paths start with
          $.input or $.nodes.
        </p>
      </details>
      <div className="flex gap-2">
        <Button type="submit" isBusy={validate.isPending || save.isPending}>
          {initial.id ? "Save as a new version" : "Create workflow"}
        </Button>
        <Button
          type="button"
          variant="secondary"
          isBusy={validate.isPending}
          onClick={() =>
            void check().then((definition) => {
              if (definition !== null) toast.success("The definition is valid.");
            })
          }
        >
          Check
        </Button>
        <Button type="button" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
