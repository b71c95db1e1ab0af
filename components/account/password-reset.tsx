"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

/** The same answer whether or not the address has an account. */
export function RequestResetForm() {
  const trpc = useTRPC();
  const request = useMutation(trpc.account.requestReset.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await request.mutateAsync({ email: String(form.get("email") ?? "") });
  }

  if (request.isSuccess) return <p className="text-sm text-slate-700">{request.data.message}</p>;
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <div>
        <Label htmlFor="email">Email</Label>
        <Input id="email" name="email" type="email" autoComplete="username" required />
      </div>
      {request.isError ? <ErrorState message={errorMessage(request.error)} /> : null}
      <Button type="submit" className="w-full" isBusy={request.isPending}>
        Send a reset link
      </Button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const complete = useMutation(trpc.account.completeReset.mutationOptions());
  const [newPassword, setNewPassword] = useState("");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await complete.mutateAsync({ token, newPassword });
  }

  if (complete.isSuccess) {
    return (
      <p className="text-sm text-slate-700">
        Your password is changed and every earlier session has ended.{" "}
        <Link className="font-medium text-indigo-700 underline" href="/signin">
          Sign in
        </Link>
      </p>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4">
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
      {complete.isError ? <ErrorState message={errorMessage(complete.error)} /> : null}
      <Button type="submit" className="w-full" isBusy={complete.isPending}>
        Set the new password
      </Button>
    </form>
  );
}
