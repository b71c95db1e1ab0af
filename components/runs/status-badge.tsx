import { Badge } from "@/components/ui/badge";

const TONES = { running: "info", waiting_approval: "warning", completed: "success", failed: "danger" } as const;
const LABELS = { running: "running", waiting_approval: "waiting for approval", completed: "completed", failed: "failed" } as const;

export function RunStatusBadge({ status }: { status: keyof typeof TONES }) {
  return <Badge tone={TONES[status]}>{LABELS[status]}</Badge>;
}
