"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TSafetyClass } from "@/server/policy/schema";

const SAFETY_TONES: Record<TSafetyClass, "neutral" | "info" | "success" | "warning" | "danger"> = {
  read_only: "success",
  write_internal: "info",
  external_side_effect: "warning",
  financial: "warning",
  destructive: "danger",
  local_exec: "danger",
};

/** The deployment's tools and whether this tenant allows them; admins switch them, others only read. */
export function ToolsPanel({ tenantSlug, canEdit }: { tenantSlug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.tool.list.queryKey({ tenantSlug });
  const tools = useQuery(trpc.tool.list.queryOptions({ tenantSlug }));
  const setEnabled = useMutation(
    trpc.tool.setEnabled.mutationOptions({
      onError: (error) => toast.error(errorMessage(error)),
      onSuccess: (saved) => {
        queryClient.setQueryData(listKey, (list) =>
          list?.map((tool) => (tool.name === saved.name ? { ...tool, isEnabled: saved.isEnabled } : tool)),
        );
        toast.success(`${saved.name} is ${saved.isEnabled ? "on" : "off"} for this tenant.`);
      },
      onSettled: () => void queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );

  return (
    <Card
      title="Tools"
      description="Tools this deployment provides. A tool that is off is refused by the gate for everyone in this tenant, whatever the policies say."
    >
      <QueryStates query={tools} isEmpty={tools.data?.length === 0} emptyTitle="This deployment has no tools." errorText={errorMessage}>
        <Table
          testId="tools-table"
          columns={[{ label: "Tool" }, { label: "Safety class" }, { label: "Capability" }, { label: "Description" }, { label: "Enabled" }]}
        >
          {tools.data?.map((tool) => {
            return (
              <Row key={tool.name}>
                <td className="py-2 font-mono text-xs">{tool.name}</td>
                <td className="py-2">
                  <Badge tone={SAFETY_TONES[tool.safetyClass]}>{tool.safetyClass.replaceAll("_", " ")}</Badge>
                </td>
                <td className="py-2 text-slate-600">{tool.capability}</td>
                <td className="py-2 text-slate-600">{tool.description}</td>
                <td className="py-2">
                  {canEdit ? (
                    <Switch
                      label={`${tool.name} enabled`}
                      checked={tool.isEnabled}
                      onCheckedChange={async (isEnabled) =>
                        (await setEnabled.mutateAsync({ tenantSlug, tool: tool.name, isEnabled })).isEnabled
                      }
                    />
                  ) : (
                    <Badge tone={tool.isEnabled ? "success" : "neutral"}>{tool.isEnabled ? "On" : "Off"}</Badge>
                  )}
                </td>
              </Row>
            );
          })}
        </Table>
      </QueryStates>
    </Card>
  );
}
