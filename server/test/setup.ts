import { afterAll, inject } from "vitest";
import { disconnect } from "@/server/db";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATABASE_OWNER_URL = inject("ownerDatabaseUrl");
process.env.NEXTAUTH_SECRET ??= "integration-tests-secret-integration-tests-secret";
process.env.LOG_LEVEL ??= "silent";
// A fixed test master key ring (two versions, to exercise rotation); never used outside tests.
process.env.MASTER_KEYS ??= `1:${Buffer.alloc(32, 1).toString("base64")},2:${Buffer.alloc(32, 2).toString("base64")}`;

// As at server start: the gate's approval and budget plug-ins (imported after the
// variables above are set: the env module validates them when first loaded).
(await import("@/server/plugins")).installPlugins();

afterAll(async () => {
  await disconnect();
});
