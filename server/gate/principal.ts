// The stored form of the gate's principal (the policy engine's User or Agent).
import type { TPrincipal } from "@/server/policy/evaluate";
import { agentPrincipal, userPrincipal } from "@/server/principals";

export function principalId(principal: TPrincipal): string {
  return principal.type === "User" ? userPrincipal(principal.id) : agentPrincipal(principal.id);
}
