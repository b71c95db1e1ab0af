"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { QueryStates } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { actorLabel, contentText, when } from "./format";

/**
 * Every version of one item, of any recoverable kind, newest first, each restorable as
 * a new version: the one history panel of the Trash and of the memory, skills and
 * workflows pages. The newest version of a live item is what it is now, and a deletion
 * marker carries the same content as the version before it: neither gets a button.
 * `renderContent` shows a kind's content its own way (a skill's markdown); by default
 * it is shown as text.
 */
export function VersionHistory({
  tenantSlug,
  kind,
  id,
  title,
  canRestore = true,
  renderContent,
  onRestored,
}: {
  tenantSlug: string;
  kind: string;
  id: string;
  title: string;
  canRestore?: boolean;
  renderContent?: (content: unknown) => ReactNode;
  onRestored?: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Read afresh whenever the panel appears: the page that shows it may have just saved a version.
  const versions = useQuery({ ...trpc.recovery.versions.queryOptions({ tenantSlug, kind, id }), refetchOnMount: "always" });
  const restore = useMutation(
    trpc.recovery.restoreVersion.mutationOptions({
      onSuccess: (_data, input) => {
        toast.success(`Version ${input.version} of "${title}" is back, as a new version.`);
        void queryClient.invalidateQueries({ queryKey: trpc.recovery.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.memory.pathKey() });
        onRestored?.();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const newest = versions.data?.[0];
  const [compared, setCompared] = useState<number | null>(null);

  return (
    <section aria-label={`Version history of ${title}`} className="py-2">
      <QueryStates query={versions} isEmpty={versions.data?.length === 0} emptyTitle="No versions recorded." errorText={errorMessage}>
        <ol className="space-y-2">
          {versions.data?.map((version) => {
            const isCurrent = version === newest && !version.isDeleted;
            const isBusy = restore.isPending && restore.variables?.version === version.version;
            return (
              <li key={version.version} className="rounded-md border border-slate-100 bg-slate-50 px-3 py-2" data-testid="version">
                <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
                  <span className="font-mono font-medium text-slate-900">v{version.version}</span>
                  {version.isDeleted ? <Badge tone="danger">deleted</Badge> : null}
                  {isCurrent ? <Badge tone="success">current</Badge> : null}
                  <span>{when(version.createdAt)}</span>
                  <span>by {actorLabel(version.actor)}</span>
                  {newest && version.version !== newest.version ? (
                    <Button
                      variant="ghost"
                      className="ml-auto px-2 py-0.5 text-xs"
                      aria-expanded={compared === version.version}
                      aria-label={`Compare version ${version.version} of ${title} with version ${newest.version}`}
                      onClick={() => setCompared(compared === version.version ? null : version.version)}
                    >
                      Compare with v{newest.version}
                    </Button>
                  ) : null}
                  {canRestore && !version.isDeleted && !isCurrent ? (
                    <Button
                      variant="secondary"
                      className="px-2 py-0.5 text-xs"
                      isBusy={isBusy}
                      aria-label={`Restore version ${version.version} of ${title}`}
                      onClick={() => restore.mutate({ tenantSlug, kind, id, version: version.version })}
                    >
                      Restore this version
                    </Button>
                  ) : null}
                </div>
                {compared === version.version && newest ? (
                  <VersionDiff tenantSlug={tenantSlug} kind={kind} id={id} from={version.version} to={newest.version} title={title} />
                ) : null}
                {renderContent ? (
                  <div className="mt-2 max-h-64 overflow-auto">{renderContent(version.content)}</div>
                ) : (
                  <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-words text-xs text-slate-800">
                    {contentText(version.content)}
                  </pre>
                )}
              </li>
            );
          })}
        </ol>
      </QueryStates>
    </section>
  );
}

/** What changed from one version to another, field by field: removed lines in red, added in green. */
function VersionDiff({
  tenantSlug,
  kind,
  id,
  from,
  to,
  title,
}: {
  tenantSlug: string;
  kind: string;
  id: string;
  from: number;
  to: number;
  title: string;
}) {
  const trpc = useTRPC();
  const diff = useQuery(trpc.recovery.diff.queryOptions({ tenantSlug, kind, id, from, to }));
  const changed = diff.data?.fields.filter((field) => field.isChanged) ?? [];
  return (
    <div
      role="region"
      aria-label={`Changes to ${title} from version ${from} to version ${to}`}
      className="mt-2 rounded border border-slate-200 bg-white p-2"
    >
      <QueryStates
        query={diff}
        isEmpty={changed.length === 0}
        emptyTitle="The two versions have the same content."
        errorText={errorMessage}
      >
        {changed.map((field) => (
          <div key={field.field} className="mb-2 last:mb-0">
            <p className="mb-1 text-xs font-medium text-slate-700">{field.field}</p>
            <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-words font-mono text-xs">
              {field.parts.map((part, index) => (
                <span
                  key={index}
                  data-change={part.added ? "added" : part.removed ? "removed" : "same"}
                  className={
                    part.added ? "bg-emerald-50 text-emerald-800" : part.removed ? "bg-red-50 text-red-800 line-through" : "text-slate-600"
                  }
                >
                  {part.value}
                </span>
              ))}
            </pre>
          </div>
        ))}
      </QueryStates>
    </div>
  );
}
