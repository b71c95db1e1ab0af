"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

export function AcceptInvitation({ token, signedInEmail }: { token: string; signedInEmail: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const invitation = useQuery(trpc.invitation.get.queryOptions({ token }));
  const accept = useMutation(trpc.invitation.accept.mutationOptions());
  const [password, setPassword] = useState("");

  if (invitation.isPending) return <Loading />;
  if (invitation.isError) return <ErrorState message={errorMessage(invitation.error)} />;
  const details = invitation.data;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "") || undefined;
    const result = await accept.mutateAsync({ token, name, password: details.hasAccount ? undefined : password });
    if (!details.hasAccount) await signIn("credentials", { email: result.email, password, redirect: false });
    router.replace(`/t/${result.tenantSlug}/members`);
    router.refresh();
  }

  const mustSignIn = details.hasAccount && signedInEmail !== details.email;
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        You are invited to <strong>{details.tenantName}</strong> as <strong>{details.role}</strong> ({details.email}).
      </p>
      {mustSignIn ? (
        <p className="text-sm">
          <Link className="font-medium text-indigo-700 underline" href={`/signin?next=${encodeURIComponent(`/invite/${token}`)}`}>
            Sign in as {details.email}
          </Link>{" "}
          to accept.
        </p>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4">
          {details.hasAccount ? null : (
            <>
              <div>
                <Label htmlFor="name">Your name</Label>
                <Input id="name" name="name" required maxLength={120} />
              </div>
              <div>
                <Label htmlFor="password">Choose a password (at least 10 characters)</Label>
                <Input
                  id="password"
                  type="password"
                  minLength={10}
                  required
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                  autoComplete="new-password"
                />
              </div>
            </>
          )}
          {accept.isError ? <ErrorState message={errorMessage(accept.error)} /> : null}
          <Button type="submit" isBusy={accept.isPending} className="w-full">
            Accept invitation
          </Button>
        </form>
      )}
    </div>
  );
}
