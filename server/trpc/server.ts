// The server-side caller for pages (React Server Components): same procedures,
// same checks, no HTTP hop.
import { cache } from "react";
import { TRPCError } from "@trpc/server";
import { createContext } from "./context";
import { createCaller } from "./root";

export const serverCaller = cache(async () => createCaller(await createContext()));

/** Runs a call; a NOT_FOUND becomes null so that pages can answer with notFound(). */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") return null;
    throw error;
  }
}
