"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { CREDENTIAL_PROVIDERS, PROVIDER_DEFINITIONS } from "@/server/credentials/providers";
import { CredentialForm } from "./credential-form";
import { CredentialItem } from "./credential-item";

/** The tenant's connections to outside services (admins only): add, check, rotate, remove. */
export function ConnectionsPanel({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credential.list.queryOptions({ tenantSlug }));
  const [isAdding, setIsAdding] = useState(false);
  const connected = new Set(credentials.data?.map((credential) => credential.provider));
  const missing = CREDENTIAL_PROVIDERS.filter((provider) => !connected.has(provider));

  return (
    <div className="space-y-6">
      <Card
        title="Connected services"
        description="The tenant's own credentials for the services its tools call. Without one, a tool delivers to the sandbox outbox instead of the real service."
        actions={
          isAdding ? null : (
            <Button type="button" onClick={() => setIsAdding(true)}>
              Add connection
            </Button>
          )
        }
      >
        {isAdding ? (
          <div className="mb-4">
            <CredentialForm tenantSlug={tenantSlug} mode={{ kind: "create" }} onDone={() => setIsAdding(false)} />
          </div>
        ) : null}
        <QueryStates
          query={credentials}
          isEmpty={credentials.data?.length === 0}
          emptyTitle="No services are connected yet: every tool call goes to the sandbox outbox."
          errorText={errorMessage}
        >
          <ul className="divide-y divide-slate-100" aria-label="Connections">
            {credentials.data?.map((credential) => (
              <CredentialItem key={credential.id} tenantSlug={tenantSlug} credential={credential} />
            ))}
          </ul>
        </QueryStates>
      </Card>
      {credentials.isSuccess && missing.length > 0 ? (
        <Card title="Sandbox only" description="Calls to these services are recorded, not sent.">
          <p className="text-sm text-slate-700">
            {missing.map((provider) => PROVIDER_DEFINITIONS[provider].label).join(", ")}.{" "}
            <Link href={`/t/${tenantSlug}/outbox`} className="font-medium text-indigo-700 underline">
              See what would have been sent in the Outbox
            </Link>
            .
          </p>
        </Card>
      ) : null}
    </div>
  );
}
