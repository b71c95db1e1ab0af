"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
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
                  {canRestore && !version.isDeleted && !isCurrent ? (
                    <Button
                      variant="secondary"
                      className="ml-auto px-2 py-0.5 text-xs"
                      isBusy={isBusy}
                      aria-label={`Restore version ${version.version} of ${title}`}
                      onClick={() => restore.mutate({ tenantSlug, kind, id, version: version.version })}
                    >
                      Restore this version
                    </Button>
                  ) : null}
                </div>
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
