"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { formatDistanceToNow } from "date-fns";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

export function PendingInvitations({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.invitation.list.queryOptions({ tenantSlug }));
  const revoke = useMutation(
    trpc.invitation.revoke.mutationOptions({
      onSuccess: () => {
        toast.success("Invitation revoked.");
        void queryClient.invalidateQueries({ queryKey: trpc.invitation.list.queryKey({ tenantSlug }) });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  return (
    <Card title="Pending invitations">
      {invitations.isPending ? <Loading /> : null}
      {invitations.isError ? <ErrorState message={errorMessage(invitations.error)} onRetry={() => void invitations.refetch()} /> : null}
      {invitations.data?.length === 0 ? <EmptyState title="No pending invitations." /> : null}
      {invitations.data && invitations.data.length > 0 ? (
        <ul className="divide-y divide-slate-100 text-sm">
          {invitations.data.map((invitation) => (
            <li key={invitation.id} className="flex items-center justify-between py-2">
              <span>
                {invitation.email}{" "}
                <span className="text-slate-500">
                  as {invitation.role}, expires in {formatDistanceToNow(invitation.expiresAt)}
                </span>
              </span>
              <Button
                variant="secondary"
                isBusy={revoke.isPending && revoke.variables?.invitationId === invitation.id}
                onClick={() => revoke.mutate({ tenantSlug, invitationId: invitation.id })}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
