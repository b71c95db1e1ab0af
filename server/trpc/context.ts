import { currentUser } from "@/server/auth/session";
import type { TContext } from "./init";

export async function createContext(): Promise<TContext> {
  return { user: await currentUser() };
}
