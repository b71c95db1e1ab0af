"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { format } from "date-fns";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";

export function SigningKeys({ tenantSlug, canRotate }: { tenantSlug: string; canRotate: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.signingKey.list.queryOptions({ tenantSlug }));
  const rotate = useMutation(
    trpc.signingKey.rotate.mutationOptions({
      onSuccess: (key) => {
        toast.success(`New signing key ${key.id} is active; the old one is kept for verification.`);
        void queryClient.invalidateQueries({ queryKey: trpc.signingKey.list.queryKey({ tenantSlug }) });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  return (
    <Card
      title="Signing keys"
      description="Ed25519 keys that sign checkpoints and exports. Give the public key to whoever verifies an export (npm run verify-export -- FILE --public-key KEY)."
      actions={
        canRotate ? (
          <Button variant="secondary" isBusy={rotate.isPending} onClick={() => rotate.mutate({ tenantSlug })}>
            Rotate key
          </Button>
        ) : null
      }
    >
      <QueryStates
        query={keys}
        isEmpty={keys.data?.length === 0}
        emptyTitle="No signing key yet: one is made with the first checkpoint."
        errorText={errorMessage}
      >
        <Table columns={[{ label: "Key id" }, { label: "Public key" }, { label: "Status" }, { label: "Created" }]}>
          {keys.data?.map((key) => (
            <Row key={key.keyId}>
              <td className="py-2 font-mono text-xs">{key.keyId}</td>
              <td className="max-w-xs break-all py-2 font-mono text-xs">{key.publicKey}</td>
              <td className="py-2">
                <Badge tone={key.status === "active" ? "success" : "neutral"}>{key.status}</Badge>
              </td>
              <td className="py-2 text-slate-500">{format(new Date(key.createdAt), "yyyy-MM-dd HH:mm")}</td>
            </Row>
          ))}
        </Table>
      </QueryStates>
    </Card>
  );
}
