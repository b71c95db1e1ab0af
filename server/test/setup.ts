import { afterAll, inject } from "vitest";
import { disconnect } from "@/server/db";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATABASE_OWNER_URL = inject("ownerDatabaseUrl");
process.env.NEXTAUTH_SECRET ??= "integration-tests-secret-integration-tests-secret";
process.env.LOG_LEVEL ??= "silent";
// A fixed test master key ring (two versions, to exercise rotation); never used outside tests.
process.env.MASTER_KEYS ??= `1:${Buffer.alloc(32, 1).toString("base64")},2:${Buffer.alloc(32, 2).toString("base64")}`;

afterAll(async () => {
  await disconnect();
});
