// The stored form of the gate's principal: "user:<id>" or "agent:<id>".
import type { TPrincipal } from "@/server/policy/evaluate";

export function principalId(principal: TPrincipal): string {
  return principal.type === "User" ? `user:${principal.id}` : `agent:${principal.id}`;
}
