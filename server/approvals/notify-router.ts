import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import {
  getNotificationSettings,
  listNotifications,
  saveNotificationSettings,
  ZNotificationLogQuery,
  ZNotificationSettings,
} from "./notify-settings";

// Where approval events are sent is an admin's choice; everyone in the tenant may see
// whether deliveries went out (the log holds hosts and recipients, never secrets).
export const approvalNotificationRouter = createTRPCRouter({
  settings: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => getNotificationSettings(db, ctx.tenant.id))),
  saveSettings: tenantProcedure("admin")
    .input(ZNotificationSettings)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => saveNotificationSettings(db, ctx.tenant.id, ctx.user.id, input))),
  list: tenantProcedure("member")
    .input(ZNotificationLogQuery)
    .query(({ ctx, input }) => ctx.withTenant((db) => listNotifications(db, ctx.tenant.id, input))),
});
