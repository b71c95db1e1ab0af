"use client";
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "@/components/trpc";

/**
 * Requests and votes name people as "user:<id>": show the member's email instead.
 * Agents, packs and the timeout keep a short readable form.
 */
export function usePrincipalLabel(tenantSlug: string): (principal: string) => string {
  const trpc = useTRPC();
  // Past members too: a vote by someone who has left still shows their email.
  const names = useQuery(trpc.member.names.queryOptions({ tenantSlug }, { staleTime: 5 * 60_000 }));
  const emails = names.data;
  return useCallback(
    (principal: string) => {
      if (principal.startsWith("user:")) {
        const member = emails?.find((row) => row.principal.toLowerCase() === principal.toLowerCase());
        return member ? member.email : principal;
      }
      if (principal.startsWith("agent:")) return `agent ${principal.slice("agent:".length)}`;
      if (principal.startsWith("pack:")) return `policy pack ${principal.slice("pack:".length)}`;
      if (principal === "timeout") return "the deadline (timeout rule)";
      return principal;
    },
    [emails],
  );
}
