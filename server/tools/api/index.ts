// The API tools: the only way a saas agent acts on the world. Each is a real client
// of a real API with the tenant's own credentials (server/credentials), delivering
// to the tenant's sandbox outbox when it has none. Add a connector's tools here.
import type { TAnyTool } from "../types";

export const API_TOOLS: TAnyTool[] = [];
