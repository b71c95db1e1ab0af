"use client";
import { useMutation } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

/** Change password (the current one required) and sign out everywhere; both end every session, this one too. */
export function AccountSecurity() {
  const trpc = useTRPC();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const everywhere = useMutation(trpc.account.signOutEverywhere.mutationOptions());
  const [newPassword, setNewPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const mismatch = confirm.length > 0 && confirm !== newPassword;

  async function onChange(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (mismatch) return;
    await change.mutateAsync({ currentPassword: String(form.get("currentPassword") ?? ""), newPassword });
    await signOut({ callbackUrl: "/signin?changed=1" });
  }

  async function onEverywhere() {
    await everywhere.mutateAsync();
    await signOut({ callbackUrl: "/signin" });
  }

  return (
    <div className="space-y-8">
      <section className="rounded-lg border border-slate-200 bg-white p-6">
        <h2 className="mb-1 font-semibold">Change password</h2>
        <p className="mb-4 text-sm text-slate-500">Every session ends, on every device: you sign in again with the new password.</p>
        <form onSubmit={onChange} className="max-w-sm space-y-4">
          <div>
            <Label htmlFor="currentPassword">Current password</Label>
            <Input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" required />
          </div>
          <div>
            <Label htmlFor="newPassword">New password (at least 10 characters)</Label>
            <Input
              id="newPassword"
              type="password"
              minLength={10}
              required
              autoComplete="new-password"
              value={newPassword}
              onChange={(event) => setNewPassword(event.target.value)}
            />
          </div>
          <div>
            <Label htmlFor="confirmPassword">New password again</Label>
            <Input
              id="confirmPassword"
              type="password"
              required
              autoComplete="new-password"
              value={confirm}
              onChange={(event) => setConfirm(event.target.value)}
            />
          </div>
          {mismatch ? <p className="text-sm text-red-700">The two new passwords differ.</p> : null}
          {change.isError ? <ErrorState message={errorMessage(change.error)} /> : null}
          <Button type="submit" isBusy={change.isPending}>
            Change password
          </Button>
        </form>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-6">
        <h2 className="mb-1 font-semibold">Sign out everywhere</h2>
        <p className="mb-4 text-sm text-slate-500">Ends every session of this account, including ones on lost or shared devices.</p>
        {everywhere.isError ? <ErrorState message={errorMessage(everywhere.error)} /> : null}
        <Button type="button" onClick={onEverywhere} isBusy={everywhere.isPending}>
          Sign out everywhere
        </Button>
      </section>
    </div>
  );
}
