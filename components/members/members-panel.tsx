"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Select } from "@/components/ui/field";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { ROLES, type TRole } from "@/server/auth/roles";
import { InviteForm } from "./invite-form";
import { PendingInvitations } from "./pending-invitations";

export function MembersPanel({ tenantSlug, myRole, myUserId }: { tenantSlug: string; myRole: TRole; myUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.member.list.queryOptions({ tenantSlug }));
  const canManage = myRole === "owner" || myRole === "admin";
  const [pendingId, setPendingId] = useState<string | null>(null);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.member.list.queryKey({ tenantSlug }) });
  const updateRole = useMutation(
    trpc.member.updateRole.mutationOptions({
      onSuccess: () => {
        toast.success("Role updated.");
        void invalidate();
      },
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => setPendingId(null),
    }),
  );
  const remove = useMutation(
    trpc.member.remove.mutationOptions({
      onSuccess: () => {
        toast.success("Member removed.");
        void invalidate();
      },
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => setPendingId(null),
    }),
  );
  const assignable: readonly TRole[] = myRole === "owner" ? ROLES : ROLES.filter((role) => role !== "owner");

  return (
    <div className="space-y-6">
      {canManage ? <InviteForm tenantSlug={tenantSlug} assignableRoles={assignable} onDone={invalidate} /> : null}
      <Card title="Members" description="People who can use this tenant, and what they may do.">
        <QueryStates query={members} isEmpty={members.data?.length === 0} emptyTitle="No members yet." errorText={errorMessage}>
          <Table
            testId="members-table"
            columns={[
              { label: "Name" },
              { label: "Email" },
              { label: "Role" },
              ...(canManage ? [{ label: "Actions", align: "right" as const }] : []),
            ]}
          >
            {members.data?.map((member) => {
              const isLocked = member.role === "owner" && myRole !== "owner";
              const isBusy = pendingId === member.id;
              return (
                <Row key={member.id}>
                  <td className="py-2">
                    {member.user.name} {member.user.id === myUserId ? <Badge>you</Badge> : null}
                  </td>
                  <td className="py-2 text-slate-600">{member.user.email}</td>
                  <td className="py-2">
                    {canManage && !isLocked ? (
                      <Select
                        aria-label={`Role of ${member.user.email}`}
                        className="w-36"
                        value={member.role}
                        disabled={isBusy}
                        onChange={(event) => {
                          setPendingId(member.id);
                          updateRole.mutate({ tenantSlug, membershipId: member.id, role: event.target.value as TRole });
                        }}
                      >
                        {(assignable.includes(member.role) ? assignable : [member.role, ...assignable]).map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </Select>
                    ) : (
                      <Badge tone={member.role === "owner" ? "info" : "neutral"}>{member.role}</Badge>
                    )}
                  </td>
                  {canManage ? (
                    <td className="py-2 text-right">
                      {isLocked ? null : (
                        <Button
                          variant="danger"
                          isBusy={isBusy && remove.isPending}
                          disabled={isBusy}
                          onClick={() => {
                            if (!window.confirm(`Remove ${member.user.email} from this tenant?`)) return;
                            setPendingId(member.id);
                            remove.mutate({ tenantSlug, membershipId: member.id });
                          }}
                        >
                          Remove
                        </Button>
                      )}
                    </td>
                  ) : null}
                </Row>
              );
            })}
          </Table>
        </QueryStates>
      </Card>
      {canManage ? <PendingInvitations tenantSlug={tenantSlug} /> : null}
    </div>
  );
}
