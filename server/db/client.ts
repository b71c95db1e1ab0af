// The Prisma client, connected as the app role (DATABASE_URL): it owns no table
// and cannot bypass Row Level Security. Only server/db/ may import this file
// (lint): everything else goes through withTenant, withUser or the platform client.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type { Prisma } from "./generated/client";

const globalForPrisma = globalThis as unknown as { agentFabricPrisma?: PrismaClient };

function createClient(): PrismaClient {
  // Raw, at first use: scripts (seed, dev, bench) set DATABASE_URL once their database is up, after imports.
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set.");
  const adapter = new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
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
