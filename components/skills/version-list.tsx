"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { toast } from "sonner";
import { actorLabel, when } from "@/components/recovery/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { QueryStates } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

/**
 * The versions of a skill or workflow (through the recovery router), newest first.
 * Admins bring an earlier one back as a new version; nothing is rewritten.
 */
export function VersionList({
  tenantSlug,
  kind,
  id,
  title,
  canRestore,
  renderContent,
  onRestored,
}: {
  tenantSlug: string;
  kind: "skill" | "workflow";
  id: string;
  title: string;
  canRestore: boolean;
  renderContent: (content: unknown) => ReactNode;
  onRestored: () => void;
}) {
  const trpc = useTRPC();
  const versions = useQuery(trpc.recovery.versions.queryOptions({ tenantSlug, kind, id }));
  const restore = useMutation(
    trpc.recovery.restoreVersion.mutationOptions({
      onSuccess: (_data, input) => {
        toast.success(`Version ${input.version} of "${title}" is back, as a new version.`);
        void versions.refetch();
        onRestored();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const newest = versions.data?.[0];

  return (
    <section aria-label={`Version history of ${title}`}>
      <QueryStates query={versions} isEmpty={versions.data?.length === 0} emptyTitle="No versions recorded." errorText={errorMessage}>
        <ol className="space-y-2">
          {versions.data?.map((version) => {
            const isCurrent = version === newest && !version.isDeleted;
            return (
              <li key={version.version} className="rounded-md border border-slate-100 bg-slate-50 px-3 py-2" data-testid="version">
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-2 text-xs text-slate-600">
                    <span className="font-mono font-medium text-slate-900">v{version.version}</span>
                    {version.isDeleted ? <Badge tone="danger">deleted</Badge> : null}
                    {isCurrent ? <Badge tone="success">current</Badge> : null}
                    <span>{when(version.createdAt)}</span>
                    <span>by {actorLabel(version.actor)}</span>
                    {canRestore && !version.isDeleted && !isCurrent ? (
                      <Button
                        variant="secondary"
                        className="ml-auto px-2 py-0.5 text-xs"
                        isBusy={restore.isPending && restore.variables?.version === version.version}
                        aria-label={`Restore version ${version.version} of ${title}`}
                        onClick={(event) => {
                          event.preventDefault();
                          restore.mutate({ tenantSlug, kind, id, version: version.version });
                        }}
                      >
                        Restore this version
                      </Button>
                    ) : null}
                  </summary>
                  <div className="mt-2">{renderContent(version.content)}</div>
                </details>
              </li>
            );
          })}
        </ol>
      </QueryStates>
    </section>
  );
}
