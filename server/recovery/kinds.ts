// Every recoverable kind of this deployment: the Trash, the version history and
// the purge job go through this list. Add a kind here when it implements
// TRecoverableKind (server/recovery/types.ts); a versioned kind gets it from
// versionedKind (server/recovery/versioned.ts).
import { approvalWorkflowKind } from "@/server/approvals/workflow";
import { budgetKind } from "@/server/budgets/service";
import { policyPackKind } from "@/server/policy/packs";
import { memoryKind } from "@/server/memory/service";
import { heartbeatKind } from "@/server/schedules/heartbeat";
import { cronKind } from "@/server/schedules/service";
import { skillKind } from "@/server/skills/service";
import { workflowKind } from "@/server/workflows/service";
import type { TRecoverableKind } from "./types";
import { workspaceSnapshotKind } from "./workspace-snapshots";

export const RECOVERABLE_KINDS: TRecoverableKind[] = [
  memoryKind,
  cronKind,
  heartbeatKind,
  skillKind,
  workflowKind,
  policyPackKind,
  approvalWorkflowKind,
  budgetKind,
  workspaceSnapshotKind,
];
