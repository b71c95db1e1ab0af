// Prisma 7 CLI configuration: used by `prisma generate` only.
// Migrations run through scripts/db-migrate.ts (Prisma 6's WebAssembly schema
// engine), because Prisma 7's CLI would download a native engine.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
