// skills.list / skills.get: what the tenant's agents may read of its skills. Read
// only; writing skills is for people (the Skills page), so an agent cannot rewrite
// its own instructions.
import { z } from "zod";
import { withTenant } from "@/server/db";
import type { TToolDefinition } from "@/server/tools/types";
import { ZSkillName } from "./schemas";

export const skillsList: TToolDefinition<Record<string, never>> = {
  name: "skills.list",
  description: "List the skills (named instructions) this tenant wrote for its agents: names and descriptions.",
  input: z.object({}).strict(),
  safetyClass: "read_only",
  capability: "api",
  execute: (context) =>
    withTenant(context.tenantId, async (db) => {
      const rows = await db.skill.findMany({
        where: { tenantId: context.tenantId, deletedAt: null },
        orderBy: { name: "asc" },
        select: { name: true, description: true, version: true },
        take: 200,
      });
      return { skills: rows };
    }),
};

export const skillsGet: TToolDefinition<{ name: string }> = {
  name: "skills.get",
  description: "Read one skill by name: its markdown instructions.",
  input: z.object({ name: ZSkillName }).strict(),
  safetyClass: "read_only",
  capability: "api",
  // A skill body is at most 50,000 characters; room for multi-byte text.
  maxOutputBytes: 256 * 1024,
  execute: (context, args) =>
    withTenant(context.tenantId, async (db) => {
      const skill = await db.skill.findFirst({ where: { tenantId: context.tenantId, name: args.name, deletedAt: null } });
      if (!skill) return { name: args.name, found: false };
      return { name: skill.name, description: skill.description, version: skill.version, body: skill.body };
    }),
};

export const SKILL_TOOLS = [skillsList, skillsGet];
