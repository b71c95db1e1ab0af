// Per-tenant tool switches. The catalog says which tools exist in this
// deployment; a tenant can only turn those off (and on again). No row means
// enabled: the gate's tenant step reads the same default.
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError } from "@/server/errors";
import type { TSafetyClass } from "@/server/policy/schema";
import type { ToolCatalog } from "./catalog";
import type { TSetToolEnabled } from "./schemas";
import type { TCapability } from "./types";

export type TToolSetting = {
  name: string;
  description: string;
  safetyClass: TSafetyClass;
  capability: TCapability;
  isEnabled: boolean;
  updatedAt: Date | null;
};

export async function listToolSettings(db: TenantDb, tenantId: string, catalog: ToolCatalog): Promise<TToolSetting[]> {
  const rows = await db.tenantToolSetting.findMany({ where: { tenantId } });
  const byTool = new Map(rows.map((row) => [row.tool, row]));
  return catalog.list().map((tool) => {
    const row = byTool.get(tool.name);
    return {
      name: tool.name,
      description: tool.description,
      safetyClass: tool.safetyClass,
      capability: tool.capability,
      isEnabled: row?.isEnabled ?? true,
      updatedAt: row?.updatedAt ?? null,
    };
  });
}

/** Turns a tool on or off for the tenant; a change (not a repeat) is audited with who made it. */
export async function setToolEnabled(
  db: TenantDb,
  tenantId: string,
  actorUserId: string,
  catalog: ToolCatalog,
  input: TSetToolEnabled,
): Promise<TToolSetting> {
  const tool = catalog.get(input.tool);
  if (!tool) {
    throw new AppError(
      "BAD_REQUEST",
      `There is no tool "${input.tool}" in this ${catalog.mode} deployment. Known tools: ${catalog.names().join(", ")}.`,
    );
  }
  const where = { tenantId_tool: { tenantId, tool: tool.name } };
  const before = (await db.tenantToolSetting.findUnique({ where }))?.isEnabled ?? true;
  const row = await db.tenantToolSetting.upsert({
    where,
    create: { tenantId, tool: tool.name, isEnabled: input.isEnabled },
    update: { isEnabled: input.isEnabled, updatedAt: new Date() },
  });
  if (before !== input.isEnabled) {
    // The table has no "changed by" column: the audit log is where who and when live.
    await recordAudit(db, {
      tenantId,
      actorUserId,
      action: input.isEnabled ? "tool.enabled" : "tool.disabled",
      targetType: "tool",
      targetId: tool.name,
      data: { tool: tool.name, from: before, to: input.isEnabled },
    });
  }
  return {
    name: tool.name,
    description: tool.description,
    safetyClass: tool.safetyClass,
    capability: tool.capability,
    isEnabled: row.isEnabled,
    updatedAt: row.updatedAt,
  };
}
