import { afterAll, inject } from "vitest";
import { disconnect } from "@/server/db";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATABASE_OWNER_URL = inject("ownerDatabaseUrl");
process.env.NEXTAUTH_SECRET ??= "integration-tests-secret-integration-tests-secret";
process.env.LOG_LEVEL ??= "silent";

afterAll(async () => {
  await disconnect();
});
