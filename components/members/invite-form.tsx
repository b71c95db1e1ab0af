"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TRole } from "@/server/auth/roles";

export function InviteForm({
  tenantSlug,
  assignableRoles,
  onDone,
}: {
  tenantSlug: string;
  assignableRoles: readonly TRole[];
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [inviteLink, setInviteLink] = useState<string | null>(null);
  const invite = useMutation(trpc.member.invite.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setInviteLink(null);
    const result = await invite
      .mutateAsync({ tenantSlug, email: String(form.get("email") ?? ""), role: String(form.get("role")) as TRole })
      .catch(() => null);
    if (!result) return;
    formElement.reset();
    setInviteLink(`${window.location.origin}/invite/${result.token}`);
    onDone();
    void queryClient.invalidateQueries({ queryKey: trpc.invitation.list.queryKey({ tenantSlug }) });
  }

  return (
    <Card title="Invite a member" description="Everyone gets a one-time link, valid 7 days, and joins when they accept it (signing in if they have an account).">
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <Label htmlFor="invite-email">Email</Label>
          <Input id="invite-email" name="email" type="email" required placeholder="name@company.com" />
        </div>
        <div>
          <Label htmlFor="invite-role">Role</Label>
          <Select id="invite-role" name="role" defaultValue="member" className="w-36">
            {assignableRoles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" isBusy={invite.isPending}>
          Invite
        </Button>
      </form>
      {invite.isError ? (
        <div className="mt-3">
          <ErrorState message={errorMessage(invite.error)} />
        </div>
      ) : null}
      {inviteLink ? (
        <div className="mt-3 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm" role="status">
          <p className="font-medium text-emerald-800">Invitation created. Send this link to the person; it is shown only once.</p>
          <div className="mt-2 flex gap-2">
            <Input readOnly value={inviteLink} aria-label="Invitation link" onFocus={(event) => event.currentTarget.select()} />
            <Button
              type="button"
              variant="secondary"
              onClick={() => void navigator.clipboard?.writeText(inviteLink).then(() => toast.success("Link copied."))}
            >
              Copy
            </Button>
          </div>
        </div>
      ) : null}
    </Card>
  );
}
