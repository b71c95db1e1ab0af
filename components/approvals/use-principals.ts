"use client";
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "@/components/trpc";
import { parsePrincipal } from "@/server/principals";

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
      const parsed = parsePrincipal(principal);
      switch (parsed.kind) {
        case "user": {
          const member = emails?.find((row) => row.principal.toLowerCase() === principal.toLowerCase());
          return member ? member.email : principal;
        }
        case "agent":
          return `agent ${parsed.id}`;
        case "pack":
          return `policy pack ${parsed.name}@v${parsed.version}`;
        case "timeout":
          return "the deadline (timeout rule)";
        default:
          return principal;
      }
    },
    [emails],
  );
}
