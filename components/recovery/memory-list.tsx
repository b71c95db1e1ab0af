"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/field";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { actorLabel, when } from "./format";
import { VersionHistory } from "./version-history";

/** What the tenant's agent remembers now; a delete here goes to the Trash, like the agent's. */
export function MemoryList({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [query, setQuery] = useState("");
  const [openEntry, setOpenEntry] = useState<string | null>(null);
  const entries = useQuery(trpc.memory.list.queryOptions({ tenantSlug, query: query || undefined }));
  const remove = useMutation(
    trpc.memory.remove.mutationOptions({
      onSuccess: (data) => {
        toast.success(`"${data.key}" is in the Trash; it can be restored from there.`);
        void queryClient.invalidateQueries({ queryKey: trpc.memory.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.recovery.pathKey() });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setQuery(String(new FormData(event.currentTarget).get("query") ?? "").trim());
  }

  return (
    <Card
      title="Memory"
      description="What the agent remembers in this tenant. Every change is a version; deleted entries wait in the Trash."
      actions={
        <Link href={`/t/${tenantSlug}/trash`} className="text-sm font-medium text-indigo-700 hover:underline">
          Trash →
        </Link>
      }
    >
      <form onSubmit={onSearch} role="search" aria-label="Search memory" className="mb-4 flex items-end gap-2">
        <div className="flex-1">
          <Label htmlFor="memory-query">Search keys and values</Label>
          <Input id="memory-query" name="query" maxLength={200} placeholder="launch" />
        </div>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <QueryStates
        query={entries}
        isEmpty={entries.data?.length === 0}
        emptyTitle={query ? "Nothing remembered matches." : "The agent remembers nothing yet."}
        errorText={errorMessage}
      >
        <Table
          testId="memory-table"
          columns={[
            { label: "Key" },
            { label: "Value" },
            { label: "Version" },
            { label: "Changed by" },
            { label: "Changed" },
            { label: "Actions", align: "right" },
          ]}
        >
          {entries.data?.map((entry) => {
            const isOpen = openEntry === entry.id;
            return (
              <Fragment key={entry.id}>
                <Row>
                  <td className="py-2 font-mono text-xs">{entry.key}</td>
                  <td className="max-w-md py-2 break-words text-slate-800">{entry.value}</td>
                  <td className="py-2 font-mono text-xs text-slate-600">v{entry.version}</td>
                  <td className="py-2 text-slate-600">{actorLabel(entry.updatedBy)}</td>
                  <td className="py-2 text-slate-600">{when(entry.updatedAt)}</td>
                  <td className="py-2 text-right">
                    <div className="inline-flex gap-2">
                      <Button
                        variant="ghost"
                        aria-expanded={isOpen}
                        aria-label={`History of ${entry.key}`}
                        onClick={() => setOpenEntry(isOpen ? null : entry.id)}
                      >
                        History
                      </Button>
                      <Button
                        variant="danger"
                        isBusy={remove.isPending && remove.variables?.entryId === entry.id}
                        aria-label={`Delete ${entry.key}`}
                        onClick={() => remove.mutate({ tenantSlug, entryId: entry.id })}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                </Row>
                {isOpen ? (
                  <tr>
                    <td colSpan={6} className="pb-3">
                      <VersionHistory tenantSlug={tenantSlug} kind="memory" id={entry.id} title={entry.key} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </Table>
      </QueryStates>
    </Card>
  );
}
