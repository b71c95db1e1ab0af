"use client";
import { useState } from "react";
import { cn } from "@/components/ui/cn";
import { History } from "./history";
import { Inbox } from "./inbox";
import { NotificationLog } from "./notification-log";
import { NotificationSettings } from "./notification-settings";
import { StalledPanel } from "./stalled-panel";
import { WorkflowEditor } from "./workflow-editor";

type TTab = "inbox" | "history" | "notifications" | "workflow";

/** The Approvals area: my inbox, what was decided, and (admins) the workflow that routes requests. */
export function ApprovalsView({ tenantSlug, canEditWorkflow }: { tenantSlug: string; canEditWorkflow: boolean }) {
  const [tab, setTab] = useState<TTab>("inbox");
  const tabs: { id: TTab; label: string }[] = [
    { id: "inbox", label: "Inbox" },
    { id: "history", label: "History" },
    { id: "notifications", label: "Notifications" },
    ...(canEditWorkflow ? [{ id: "workflow" as const, label: "Workflow" }] : []),
  ];
  return (
    <div className="space-y-4">
      <div role="tablist" aria-label="Approvals" className="flex gap-1 border-b border-slate-200">
        {tabs.map((item) => (
          <button
            key={item.id}
            type="button"
            role="tab"
            id={`approvals-tab-${item.id}`}
            aria-selected={tab === item.id}
            aria-controls={`approvals-panel-${item.id}`}
            onClick={() => setTab(item.id)}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm",
              tab === item.id ? "border-indigo-600 font-medium text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900",
            )}
          >
            {item.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`approvals-panel-${tab}`} aria-labelledby={`approvals-tab-${tab}`}>
        {tab === "inbox" ? (
          <div className="space-y-6">
            {canEditWorkflow ? <StalledPanel tenantSlug={tenantSlug} /> : null}
            <Inbox tenantSlug={tenantSlug} />
          </div>
        ) : null}
        {tab === "history" ? <History tenantSlug={tenantSlug} /> : null}
        {tab === "notifications" ? (
          <div className="space-y-6">
            {canEditWorkflow ? <NotificationSettings tenantSlug={tenantSlug} /> : null}
            <NotificationLog tenantSlug={tenantSlug} />
          </div>
        ) : null}
        {tab === "workflow" && canEditWorkflow ? <WorkflowEditor tenantSlug={tenantSlug} /> : null}
      </div>
    </div>
  );
}
