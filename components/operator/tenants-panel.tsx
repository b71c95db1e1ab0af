"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/field";
import { ErrorState, QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";

export function TenantsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tenants = useQuery(trpc.operator.tenant.list.queryOptions());
  const create = useMutation(trpc.operator.tenant.create.mutationOptions());
  const [inviteLink, setInviteLink] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setInviteLink(null);
    const result = await create
      .mutateAsync({
        slug: String(form.get("slug") ?? ""),
        name: String(form.get("name") ?? ""),
        ownerEmail: String(form.get("ownerEmail") ?? ""),
      })
      .catch(() => null);
    if (!result) return;
    formElement.reset();
    toast.success(`Tenant ${result.tenant.slug} created.`);
    setInviteLink(`${window.location.origin}/invite/${result.owner.token}`);
    void queryClient.invalidateQueries({ queryKey: trpc.operator.tenant.list.queryKey() });
  }

  return (
    <div className="space-y-6">
      <Card
        title="Create a tenant"
        description="With its first owner, who gets an invitation link and becomes owner on accepting it (signing in if they have an account)."
      >
        <form onSubmit={onSubmit} className="grid grid-cols-1 gap-3 md:grid-cols-4 md:items-end">
          <div>
            <Label htmlFor="tenant-name">Name</Label>
            <Input id="tenant-name" name="name" required maxLength={120} placeholder="Initech" />
          </div>
          <div>
            <Label htmlFor="tenant-slug">Slug</Label>
            <Input id="tenant-slug" name="slug" required maxLength={40} pattern="[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?" placeholder="initech" />
          </div>
          <div>
            <Label htmlFor="tenant-owner">Owner email</Label>
            <Input id="tenant-owner" name="ownerEmail" type="email" required placeholder="owner@initech.com" />
          </div>
          <Button type="submit" isBusy={create.isPending}>
            Create tenant
          </Button>
        </form>
        {create.isError ? (
          <div className="mt-3">
            <ErrorState message={errorMessage(create.error)} />
          </div>
        ) : null}
        {inviteLink ? (
          <div className="mt-3 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm" role="status">
            <p className="font-medium text-emerald-800">Send this invitation link to the owner; it is shown only once.</p>
            <Input
              className="mt-2"
              readOnly
              value={inviteLink}
              aria-label="Owner invitation link"
              onFocus={(event) => event.currentTarget.select()}
            />
          </div>
        ) : null}
      </Card>
      <Card title="Tenants">
        <QueryStates query={tenants} isEmpty={tenants.data?.length === 0} emptyTitle="No tenants yet." errorText={errorMessage}>
          <Table testId="tenants-table" columns={[{ label: "Name" }, { label: "Slug" }, { label: "Status" }, { label: "Created" }]}>
            {tenants.data?.map((tenant) => (
              <Row key={tenant.id}>
                <td className="py-2">{tenant.name}</td>
                <td className="py-2 font-mono">{tenant.slug}</td>
                <td className="py-2">
                  <Badge tone={tenant.status === "active" ? "success" : "warning"}>{tenant.status}</Badge>
                </td>
                <td className="py-2 text-slate-500">{format(tenant.createdAt, "yyyy-MM-dd")}</td>
              </Row>
            ))}
          </Table>
        </QueryStates>
        <p className="mt-3 text-xs text-slate-500">
          Operators see tenants, not their data: to work inside a tenant, be invited to it.{" "}
          <Link href="/" className="underline">
            Back
          </Link>
        </p>
      </Card>
    </div>
  );
}
