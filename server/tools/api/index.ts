// The API tools: the only way a saas agent acts on the world. Each is a real client
// of a real API with the tenant's own credentials (server/credentials), delivering
// to the tenant's sandbox outbox when it has none. Add a connector's tools here.
import { CRON_TOOLS } from "@/server/schedules/tools";
import { SKILL_TOOLS } from "@/server/skills/tools";
import { WORKFLOW_TOOLS } from "@/server/workflows/tools";
import type { TAnyTool } from "../types";
import { PAYMENTS_TOOLS } from "./payments";
import { SHEETS_TOOLS } from "./sheets";
import { WEB_TOOLS } from "./web";
import { MESSAGE_TOOLS } from "./message";
import { WHATSAPP_TOOLS } from "./whatsapp";

export const API_TOOLS: TAnyTool[] = [
  ...SHEETS_TOOLS,
  ...PAYMENTS_TOOLS,
  ...WHATSAPP_TOOLS,
  ...MESSAGE_TOOLS,
  ...WEB_TOOLS,
  ...CRON_TOOLS,
  ...SKILL_TOOLS,
  ...WORKFLOW_TOOLS,
];
