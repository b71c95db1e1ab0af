import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { CONNECTION_CHECKS } from "@/server/connectors/checks";
import { scrubText, scrubValue, withSecretScope } from "./scope";
import { PROVIDER_DEFINITIONS } from "./providers";
import { ZCreateCredential, ZCredentialRef, ZRotateCredential } from "./schemas";
import { createCredential, listCredentials, openCredential, removeCredential, rotateCredential } from "./service";

const CHECK_TIMEOUT_MS = 10_000;

// Credentials are an admin's business: secrets go in, metadata comes out.
export const credentialRouter = createTRPCRouter({
  list: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => listCredentials(db, ctx.tenant.id))),
  // Sealing and audited writes run in their own transactions.
  create: tenantProcedure("admin")
    .input(ZCreateCredential)
    .mutation(({ ctx, input }) => createCredential(ctx.tenant.id, ctx.user.id, input)),
  rotate: tenantProcedure("admin")
    .input(ZRotateCredential)
    .mutation(({ ctx, input }) => rotateCredential(ctx.tenant.id, ctx.user.id, input)),
  remove: tenantProcedure("admin")
    .input(ZCredentialRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => removeCredential(db, ctx.tenant.id, ctx.user.id, input.credentialId))),
  // An authenticated, harmless call to the service; never held in a transaction.
  check: tenantProcedure("admin")
    .input(ZCredentialRef)
    .mutation(async ({ ctx, input }) => {
      const secrets = new Set<string>();
      const credential = await withSecretScope(secrets, () => openCredential(ctx.tenant.id, input.credentialId));
      const check = CONNECTION_CHECKS[credential.provider];
      if (!check) return { isOk: false, detail: `${PROVIDER_DEFINITIONS[credential.provider].label} has no connection check.` };
      try {
        // The service's answer is shown to the admin: never with the secret in it.
        return scrubValue(await check(credential, AbortSignal.timeout(CHECK_TIMEOUT_MS)), secrets);
      } catch (error) {
        return { isOk: false, detail: scrubText(error instanceof Error ? error.message.slice(0, 300) : "the check failed", secrets) };
      }
    }),
});
