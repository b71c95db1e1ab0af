// Runs Prisma migrations offline (see prisma/migrate.config.ts) as the owner role,
// then lets the app role use what the migrations granted, and refuses to go on if
// the app role could bypass Row Level Security.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import PgBoss from "pg-boss";
import { CRON_SEND_QUEUE, JOB_SCHEMA, QUEUE_NAMES } from "../../server/jobs/queues";
import { syncCatalogPacks } from "./catalog";

/** The NOLOGIN role the migrations grant table privileges to (see the first migration). */
export const APP_GROUP_ROLE = "agent_fabric_app";

const ROOT = process.cwd();
const CACHE = path.join(ROOT, "node_modules", ".cache", "agent-fabric");

/**
 * Prisma 7 forbids `url` in the datasource and Prisma 6 would download a query
 * engine for the default generator, so Prisma 6 reads a derived copy.
 */
function deriveSchema(): string {
  const source = readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8");
  const derived = source
    .replace(
      /generator client \{[^}]*\}/,
      'generator client {\n  provider   = "prisma-client"\n  output     = "./unused-client"\n  engineType = "client"\n}',
    )
    .replace(/datasource db \{[^}]*\}/, 'datasource db {\n  provider = "postgresql"\n  url      = env("MIGRATE_DATABASE_URL")\n}');
  mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, "schema.prisma");
  writeFileSync(file, derived);
  return file;
}

export async function runPrisma6(args: string[], ownerUrl: string, options: { quiet?: boolean } = {}): Promise<string> {
  const schema = deriveSchema();
  const cli = path.join(ROOT, "node_modules", "prisma6", "build", "index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, "--config", path.join(ROOT, "prisma", "migrate.config.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        MIGRATE_DATABASE_URL: ownerUrl,
        MIGRATE_SCHEMA: schema,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1",
        PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true",
      },
      stdio: ["inherit", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!options.quiet) process.stderr.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    // The Prisma 6 CLI lingers up to a minute on timers after `migrate deploy` has
    // finished. Its last words are one of these lines, printed after the commit.
    const done = /All migrations have been successfully applied\.|No pending migrations to apply\./;
    if (args[0] === "migrate" && args[1] === "deploy") {
      const watch = () => {
        if (done.test(output)) setTimeout(() => child.kill("SIGTERM"), 200).unref();
      };
      child.stdout.on("data", watch);
      child.stderr.on("data", watch);
    }
    child.on("close", (code, signal) => {
      if (code === 0 || (signal === "SIGTERM" && done.test(output))) resolve(output);
      else reject(new Error(`prisma ${args.join(" ")} failed (exit ${code ?? signal}):\n${output}`));
    });
  });
}

/** Apply every pending migration and connect the app role to the granted privileges. */
export async function migrate(urls: { ownerUrl: string; appUrl: string }, options: { quiet?: boolean } = {}): Promise<void> {
  await runPrisma6(["migrate", "deploy"], urls.ownerUrl, options);
  await syncCatalogPacks(urls.ownerUrl);
  await ensureJobQueues(urls.ownerUrl);
  await grantAppRole(urls);
}

/**
 * pg-boss's schema and queues, created as the owner (queues are partitions,
 * which only a table owner may create). The app role then gets row privileges
 * only: it runs the worker but owns none of it.
 */
async function ensureJobQueues(ownerUrl: string): Promise<void> {
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: true });
  boss.on("error", () => undefined);
  await boss.start();
  try {
    for (const name of QUEUE_NAMES) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, policy: "singleton" });
    }
    // As pg-boss itself would create it (standard policy): its cron schedules go through it.
    if (!(await boss.getQueue(CRON_SEND_QUEUE))) await boss.createQueue(CRON_SEND_QUEUE);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    await owner.query(`GRANT USAGE ON SCHEMA ${JOB_SCHEMA} TO ${APP_GROUP_ROLE}`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${APP_GROUP_ROLE}`);
    await owner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${JOB_SCHEMA} TO ${APP_GROUP_ROLE}`);
    await owner.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${JOB_SCHEMA} TO ${APP_GROUP_ROLE}`);
  } finally {
    await owner.end();
  }
}

async function grantAppRole(urls: { ownerUrl: string; appUrl: string }): Promise<void> {
  const appUser = decodeURIComponent(new URL(urls.appUrl).username);
  const owner = new pg.Client({ connectionString: urls.ownerUrl });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1",
      [appUser],
    );
    const role = rows[0];
    if (!role) throw new Error(`The app role "${appUser}" from DATABASE_URL does not exist.`);
    if (role.rolsuper || role.rolbypassrls) {
      throw new Error(
        `The app role "${appUser}" is a superuser or has BYPASSRLS; Row Level Security would not apply. Use a plain login role.`,
      );
    }
    const owned = await owner.query(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = $1",
      [appUser],
    );
    if ((owned.rowCount ?? 0) > 0) throw new Error(`The app role "${appUser}" owns tables; it must own none.`);
    await owner.query(`GRANT ${APP_GROUP_ROLE} TO "${appUser.replaceAll('"', '""')}"`);
  } finally {
    await owner.end();
  }
}
