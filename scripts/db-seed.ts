// npm run db:seed: seed the demo tenants and users (idempotent).
import { disconnect } from "@/server/db";
import { resolveDatabase } from "./lib/database";
import { formatLogins, seedDemo } from "./lib/seed";

async function main(): Promise<void> {
  if (process.env.NODE_ENV === "production" && process.env.SEED_DEMO !== "1") {
    throw new Error("Refusing to seed demo users with known passwords in production. Set SEED_DEMO=1 if you really mean it.");
  }
  const db = await resolveDatabase();
  process.env.DATABASE_URL = db.appUrl;
  try {
    const logins = await seedDemo();
    process.stdout.write(`${formatLogins(logins)}\n`);
  } finally {
    await disconnect();
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`db:seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
