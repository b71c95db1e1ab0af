// npm run dev: the whole app on http://localhost:3000 with nothing installed by
// hand. Without DATABASE_URL it starts an embedded PostgreSQL (data in .data/),
// applies migrations, seeds the demo and prints the demo logins.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { disconnect } from "@/server/db";
import { DEV_DATA_DIR, resolveDatabase } from "./lib/database";
import { localMasterKeys, localSecret } from "./lib/dev-secret";
import { migrate } from "./lib/migrate";
import { formatLogins, seedDemo } from "./lib/seed";

/** Whether hostname:port can be listened on now (checked before anything slow starts). */
function canListen(port: number, hostname: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, hostname, () => server.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const port = process.env.PORT ?? "3000";
  const hostname = process.env.HOSTNAME_BIND ?? "127.0.0.1";
  // Said before the database starts and the demo is seeded, instead of Next's stack trace after them.
  if (!(await canListen(Number(port), hostname))) {
    let free = Number(port) + 1;
    while (free < Number(port) + 50 && !(await canListen(free, hostname))) free += 1;
    process.stderr.write(
      `Port ${port} is taken: something else is listening on ${hostname}:${port}.\n` +
        `Stop it, or choose another port with PORT, e.g.:\n\n  PORT=${free} npm run dev\n`,
    );
    process.exit(1);
  }
  const db = await resolveDatabase();
  process.stdout.write(
    db.isEmbedded ? `Started the embedded PostgreSQL (data in ${describeDataDir(db.dataDir)}).\n` : "Using DATABASE_URL.\n",
  );
  await migrate(db, { quiet: true });
  process.env.DATABASE_URL = db.appUrl;
  process.env.MASTER_KEYS ??= localMasterKeys();
  const logins = process.env.SEED_DEMO === "0" ? [] : await seedDemo();
  await disconnect();

  const env = {
    ...process.env,
    DATABASE_URL: db.appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? localSecret("nextauth"),
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
    MASTER_KEYS: process.env.MASTER_KEYS ?? localMasterKeys(),
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete (env as Record<string, string | undefined>).DATABASE_OWNER_URL;
  const next = spawn(
    process.execPath,
    [path.join("node_modules", "next", "dist", "bin", "next"), "dev", "--port", port, "--hostname", hostname],
    {
      env,
      stdio: "inherit",
    },
  );
  if (logins.length > 0) process.stdout.write(`\n${formatLogins(logins)}\n\nOpen http://localhost:${port}\n\n`);

  const shutdown = async (code: number) => {
    next.kill("SIGTERM");
    await db.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  next.on("exit", (code) => void shutdown(code ?? 0));
}

function describeDataDir(dataDir: string | null): string {
  const shown = path.relative(process.cwd(), dataDir ?? DEV_DATA_DIR);
  const where = shown && !shown.startsWith("..") ? shown : (dataDir ?? DEV_DATA_DIR);
  // As root, PostgreSQL runs as the postgres user; under a 0700 folder such as /root its data is kept elsewhere.
  return dataDir && dataDir !== DEV_DATA_DIR ? `${where}, because the postgres user it runs as cannot reach ${DEV_DATA_DIR}` : where;
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
