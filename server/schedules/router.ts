// Schedules and heartbeat tasks in the UI. Members see and manage cron schedules,
// as they can through the agent in chat (cron.* tools); heartbeat tasks are set up
// by admins. Restores go through the recovery router (Trash).
import { z } from "zod";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { archiveHeartbeat, createHeartbeat, listHeartbeats, updateHeartbeat } from "./heartbeat";
import { ZCreateHeartbeat, ZCreateSchedule, ZHeartbeatRef, ZScheduleRef, ZUpdateHeartbeat, ZUpdateSchedule } from "./schemas";
import { cancelSchedule, createSchedule, listScheduleRuns, listSchedules, updateSchedule, type TActor } from "./service";
import { userPrincipal } from "@/server/principals";

const actorOf = (user: { id: string }): TActor => ({ label: userPrincipal(user.id), userId: user.id });

export const scheduleRouter = createTRPCRouter({
  list: tenantProcedure("member").query(({ ctx }) => ctx.withTenant((db) => listSchedules(db, ctx.tenant.id))),
  runs: tenantProcedure("member")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => ctx.withTenant((db) => listScheduleRuns(db, ctx.tenant.id, input.limit))),
  create: tenantProcedure("member")
    .input(ZCreateSchedule)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createSchedule(db, ctx.tenant.id, actorOf(ctx.user), input))),
  update: tenantProcedure("member")
    .input(ZUpdateSchedule)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateSchedule(db, ctx.tenant.id, actorOf(ctx.user), input))),
  cancel: tenantProcedure("member")
    .input(ZScheduleRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => cancelSchedule(db, ctx.tenant.id, actorOf(ctx.user), { id: input.scheduleId }))),
});

export const heartbeatRouter = createTRPCRouter({
  list: tenantProcedure("member").query(({ ctx }) => ctx.withTenant((db) => listHeartbeats(db, ctx.tenant.id))),
  create: tenantProcedure("admin")
    .input(ZCreateHeartbeat)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createHeartbeat(db, ctx.tenant.id, actorOf(ctx.user), input))),
  update: tenantProcedure("admin")
    .input(ZUpdateHeartbeat)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateHeartbeat(db, ctx.tenant.id, actorOf(ctx.user), input))),
  archive: tenantProcedure("admin")
    .input(ZHeartbeatRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => archiveHeartbeat(db, ctx.tenant.id, actorOf(ctx.user), input.heartbeatId))),
});
