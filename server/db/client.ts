// The Prisma client, connected as the app role (DATABASE_URL): it owns no table
// and cannot bypass Row Level Security. Only server/db/ may import this file
// (lint): everything else goes through withTenant, withUser or the platform client.
// Tenant work does not use this client: withTenant (./tenant.ts) has its own, bound
// to the caller's transaction.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { pool } from "./pool";

export type { Prisma } from "./generated/client";

const globalForPrisma = globalThis as unknown as { agentFabricPrisma?: PrismaClient };

function createClient(): PrismaClient {
  // The process's one pool (./pool.ts): Prisma and the raw-SQL paths share its connections.
  const adapter = new PrismaPg(pool());
  // The app role has no SELECT on password_hash: never ask for it (the
  // credentials come only from the auth_credentials() definer function).
  return new PrismaClient({ adapter, omit: { user: { passwordHash: true } } });
}

/** One client per process (kept across hot reloads in development). */
export function prisma(): PrismaClient {
  globalForPrisma.agentFabricPrisma ??= createClient();
  return globalForPrisma.agentFabricPrisma;
}

export async function disconnect(): Promise<void> {
  await globalForPrisma.agentFabricPrisma?.$disconnect();
  globalForPrisma.agentFabricPrisma = undefined;
}
