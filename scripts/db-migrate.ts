// npm run db:migrate                 apply pending migrations (offline)
// npm run db:migrate -- dev --name x create a migration from schema changes, then apply it
// npm run db:migrate -- status       show migration status
import { resolveDatabase } from "./lib/database";
import { migrate, runPrisma6 } from "./lib/migrate";

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const db = await resolveDatabase();
  try {
    if (!command || command === "deploy") await migrate(db);
    else if (command === "dev" || command === "status" || command === "diff" || command === "reset") {
      await runPrisma6(["migrate", command, ...rest], db.ownerUrl);
      if (command !== "status" && command !== "diff") await migrate(db);
    } else throw new Error(`Unknown command "${command}". Use deploy (default), dev, status, diff or reset.`);
    process.stdout.write("Migrations applied.\n");
  } finally {
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
