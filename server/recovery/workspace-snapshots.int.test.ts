// A held destructive shell command, approved: the workspace is snapshotted before it
// runs, the command runs, and restoring the snapshot from the Trash brings the files
// back. Needs the self_hosted registry (the one the gate is handed for the process's
// mode), so the mode is set before anything reads the environment.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.DEPLOYMENT_MODE = "self_hosted";
});

import { withTenant } from "@/server/db";
import { voteOnRequest } from "@/server/approvals/service";
import { runGate } from "@/server/gate/pipeline";
import { createRun, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { snapshotFile } from "@/server/tools/local/snapshots";
import { tenantWorkspace, workspaceRoot } from "@/server/tools/local/workspace";
import { releaseQuotaMounts } from "@/server/tools/local/workspace-disk";
import { listTrash, listVersions, restoreItem } from "./service";

let fx: TTenantFixture;

beforeAll(async () => {
  process.env.WORKSPACE_ROOT = mkdtempSync(path.join(os.tmpdir(), "fabric-snap-"));
  fx = await createTenantFixture();
});

afterAll(async () => {
  await releaseQuotaMounts(workspaceRoot());
});

describe("workspace snapshots through the gate and the Trash", () => {
  it("held rm -rf, approved: snapshot, run, restore from the Trash, files back", async () => {
    const workspace = await tenantWorkspace(fx.tenant.id);
    const runId = await createRun(fx);
    const principal = { type: "User" as const, id: fx.users.member.id, role: "member" as const };
    expect(
      await runGate({
        tenantId: fx.tenant.id,
        runId,
        principal,
        tool: "fs.write",
        args: { path: "data/a.txt", content: "alpha" },
      }),
    ).toMatchObject({ status: "executed" });
    expect(
      await runGate({
        tenantId: fx.tenant.id,
        runId,
        principal,
        tool: "fs.write",
        args: { path: "data/sub/b.txt", content: "beta" },
      }),
    ).toMatchObject({ status: "executed" });

    const held = await runGate({
      tenantId: fx.tenant.id,
      runId,
      principal,
      tool: "shell.exec",
      args: { command: "rm -rf data" },
    });
    expect(held).toMatchObject({ status: "held", decision: { policies: [{ id: "shell-command-safety@v1/recursive-delete" }] } });
    if (held.status !== "held") return;
    expect(existsSync(path.join(workspace, "data/a.txt"))).toBe(true);

    await voteOnRequest(
      fx.tenant.id,
      held.approvalRequestId,
      { principal: `user:${fx.users.approver.id}`, role: "approver" },
      "approve",
      "ok",
    );
    expect(existsSync(path.join(workspace, "data"))).toBe(false);

    const trash = await withTenant(fx.tenant.id, (db) => listTrash(db, fx.tenant.id, { kind: "workspace_snapshot" }));
    expect(trash.items).toHaveLength(1);
    const item = trash.items[0]!;
    expect(item).toMatchObject({ kind: "workspace_snapshot", title: "Workspace before: rm -rf data" });
    expect(item.deletedBy).toContain(fx.users.member.email);
    expect(existsSync(snapshotFile(fx.tenant.id, item.id))).toBe(true);
    const versions = await withTenant(fx.tenant.id, (db) => listVersions(db, fx.tenant.id, { kind: "workspace_snapshot", id: item.id }));
    expect(versions[0]).toMatchObject({ version: 1, content: { command: "rm -rf data", kinds: ["recursive_delete"] } });

    writeFileSync(path.join(workspace, "after.txt"), "written after the delete");
    await withTenant(fx.tenant.id, (db) =>
      restoreItem(db, fx.tenant.id, { userId: fx.users.member.id, role: "member" }, { kind: "workspace_snapshot", id: item.id }),
    );
    expect(readFileSync(path.join(workspace, "data/a.txt"), "utf8")).toBe("alpha");
    expect(readFileSync(path.join(workspace, "data/sub/b.txt"), "utf8")).toBe("beta");
    expect(readdirSync(workspace)).not.toContain("after.txt");

    // The restore itself is undoable: what was there before it is the newest snapshot.
    const after = await withTenant(fx.tenant.id, (db) => listTrash(db, fx.tenant.id, { kind: "workspace_snapshot" }));
    expect(after.items.map((entry) => entry.title)).toEqual([expect.stringContaining("before restoring snapshot")]);
    await expect(
      withTenant(fx.tenant.id, (db) =>
        restoreItem(db, fx.tenant.id, { userId: fx.users.member.id, role: "member" }, { kind: "workspace_snapshot", id: item.id }),
      ),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  }, 60_000);

  it("another tenant's snapshot is NOT_FOUND, and RLS hides the rows", async () => {
    const other = await createTenantFixture();
    const mine = await withTenant(fx.tenant.id, (db) => db.workspaceSnapshot.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(mine.length).toBeGreaterThan(0);
    expect(await withTenant(other.tenant.id, (db) => db.workspaceSnapshot.findMany({}))).toEqual([]);
    await expect(
      withTenant(other.tenant.id, (db) =>
        restoreItem(
          db,
          other.tenant.id,
          { userId: other.users.member.id, role: "member" },
          { kind: "workspace_snapshot", id: mine[0]!.id },
        ),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
