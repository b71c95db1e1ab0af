// Rate limits shared by every process: rate-limiter-flexible over its PostgreSQL
// store (one atomic upsert per check). The table is made by a migration; the app
// role may not create tables, hence `tableCreated`. Keys carry a prefix per use
// and should be hashes when they would otherwise hold an address or an email.
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { sqlPool } from "@/server/db";

export const RATE_LIMIT_TABLE = "auth_throttles";

const globalForLimiters = globalThis as unknown as { agentFabricLimiters?: Map<string, RateLimiterPostgres> };

/** One limiter per prefix and shape, kept for the process (Next's dev server reloads modules). */
export function limiter(keyPrefix: string, points: number, durationSeconds: number, blockSeconds = 0): RateLimiterPostgres {
  const limiters = (globalForLimiters.agentFabricLimiters ??= new Map());
  const name = `${keyPrefix}:${points}:${durationSeconds}:${blockSeconds}`;
  let found = limiters.get(name);
  if (!found) {
    found = new RateLimiterPostgres({
      storeClient: sqlPool(),
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      keyPrefix,
      points,
      duration: durationSeconds,
      blockDuration: blockSeconds,
    });
    limiters.set(name, found);
  }
  return found;
}

/** Consume one point: null when allowed, else the seconds to wait. Store errors are thrown, not taken as "allowed". */
export async function consume(limit: RateLimiterPostgres, key: string): Promise<number | null> {
  try {
    await limit.consume(key);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    throw error;
  }
}
