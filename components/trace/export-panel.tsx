"use client";
import { useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";

type TProgress = { exported: number; expected: number; isDone: boolean };

/** Streams the signed NDJSON export, counting events as they arrive, then saves it. */
export function ExportPanel({ tenantSlug }: { tenantSlug: string }) {
  const [progress, setProgress] = useState<TProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const query = new URLSearchParams();
    for (const name of ["from", "to", "classes", "runIds"]) {
      const value = String(form.get(name) ?? "").trim();
      if (value) query.set(name, value);
    }
    setError(null);
    setProgress({ exported: 0, expected: 0, isDone: false });
    abort.current = new AbortController();
    try {
      const response = await fetch(`/api/v1/tenants/${tenantSlug}/events/export?${query}`, { signal: abort.current.signal });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        throw new Error(body.error ?? `The export failed (${response.status}).`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const chunks: string[] = [];
      let pending = "";
      let expected = 0;
      let exported = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        pending += value;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith('{"kind":"header"')) expected = (JSON.parse(line) as { expectedEvents: number }).expectedEvents;
          else if (line.startsWith('{"kind":"event"')) exported += 1;
        }
        setProgress({ exported, expected, isDone: false });
      }
      if (!chunks.join("").includes('"kind":"trailer"')) throw new Error("The export stopped before its signed trailer; try again.");
      setProgress({ exported, expected, isDone: true });
      const url = URL.createObjectURL(new Blob(chunks, { type: "application/x-ndjson" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `${tenantSlug}-events-${new Date().toISOString().slice(0, 19).replace(/:/g, "-")}.ndjson`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (caught) {
      if ((caught as Error).name !== "AbortError") setError(caught instanceof Error ? caught.message : "The export failed.");
      setProgress(null);
    }
  }

  const percent =
    progress && progress.expected > 0 ? Math.round((progress.exported / progress.expected) * 100) : progress?.isDone ? 100 : 0;
  return (
    <Card
      title="Export events"
      description="Signed NDJSON with every hash and checkpoint. Verify it offline with npm run verify-export -- FILE."
    >
      <form onSubmit={onSubmit} className="grid grid-cols-1 gap-3 md:grid-cols-5 md:items-end">
        <div>
          <Label htmlFor="export-from">From</Label>
          <Input id="export-from" name="from" type="date" />
        </div>
        <div>
          <Label htmlFor="export-to">To</Label>
          <Input id="export-to" name="to" type="date" />
        </div>
        <div>
          <Label htmlFor="export-classes">Classes (comma-separated)</Label>
          <Input id="export-classes" name="classes" placeholder="policy_decision,approval" />
        </div>
        <div>
          <Label htmlFor="export-runs">Run ids (comma-separated)</Label>
          <Input id="export-runs" name="runIds" />
        </div>
        {progress && !progress.isDone ? (
          <Button type="button" variant="secondary" onClick={() => abort.current?.abort()}>
            Cancel
          </Button>
        ) : (
          <Button type="submit">Export</Button>
        )}
      </form>
      {progress ? (
        <div className="mt-4" role="status" aria-live="polite">
          <div className="h-2 w-full overflow-hidden rounded bg-slate-100">
            <div className="h-2 bg-indigo-600 transition-all" style={{ width: `${percent}%` }} />
          </div>
          <p className="mt-1 text-xs text-slate-600" data-testid="export-progress">
            {progress.isDone
              ? `Export complete: ${progress.exported} events.`
              : `Exported ${progress.exported} of ${progress.expected || "…"} events`}
          </p>
        </div>
      ) : null}
      {error ? (
        <div className="mt-3">
          <ErrorState message={error} />
        </div>
      ) : null}
    </Card>
  );
}
