// Workspace snapshots: a gzip'd tar of the tenant's workspace, taken before a
// destructive or unresolved shell command runs, stored under
// <WORKSPACE_ROOT>/.snapshots/<tenant>/<id>.tar.gz (root only, 0700/0600) with a
// row in workspace_snapshots. Restoring sets the workspace back to the snapshot,
// after taking a snapshot of what is there now, so a restore can be undone too.
// tar runs as the tenant's sandbox user: it can read only what the sandbox could,
// and what it extracts is owned by that user and cannot land outside the workspace.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { withTenant } from "@/server/db";
import { dropPrivilegesArgs, sandboxIdentity } from "./sandbox-user";
import { tenantWorkspace, workspaceRoot } from "./workspace";
import { isUuid } from "@/server/validation";

export function snapshotFile(tenantId: string, id: string): string {
  if (!isUuid(tenantId) || !isUuid(id)) throw new Error("snapshot ids are UUIDs");
  return path.join(workspaceRoot(), ".snapshots", tenantId.toLowerCase(), `${id.toLowerCase()}.tar.gz`);
}

function tar(tenantId: string, args: string[], stdio: { input?: string; output?: string }): Promise<void> {
  const command = [...dropPrivilegesArgs(sandboxIdentity(tenantId)), "tar", ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, command.slice(1), {
      stdio: [stdio.input ? "pipe" : "ignore", stdio.output ? "pipe" : "ignore", "pipe"],
      env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } as Record<string, string> as NodeJS.ProcessEnv,
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2_000)));
    const output = stdio.output ? createWriteStream(stdio.output, { mode: 0o600 }) : null;
    if (output && child.stdout) child.stdout.pipe(output);
    if (stdio.input && child.stdin) createReadStream(stdio.input).pipe(child.stdin);
    child.on("error", reject);
    child.on("close", (code) => {
      const finish = () =>
        // 1: a file changed while it was read (the workspace is live); the archive is still whole.
        code === 0 || (code === 1 && !stdio.input) ? resolve() : reject(new Error(`tar failed (${String(code)}): ${stderr.trim()}`));
      if (output) output.close(finish);
      else finish();
    });
  });
}

export type TSnapshotInput = { tenantId: string; runId: string | null; createdBy: string; command: string; kinds: string[] };

/** Take a snapshot of the tenant's workspace now; returns its id. Throws when it cannot be taken. */
export async function takeSnapshot(input: TSnapshotInput): Promise<{ id: string; bytes: number }> {
  const workspace = await tenantWorkspace(input.tenantId);
  const id = randomUUID();
  const file = snapshotFile(input.tenantId, id);
  await mkdir(path.dirname(path.dirname(file)), { recursive: true, mode: 0o700 });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await tar(input.tenantId, ["-C", workspace, "--numeric-owner", "-czf", "-", "."], { output: file });
    const { size } = await stat(file);
    await withTenant(input.tenantId, (db) =>
      db.workspaceSnapshot.create({
        data: {
          id,
          tenantId: input.tenantId,
          runId: input.runId && isUuid(input.runId) ? input.runId : null,
          command: input.command.slice(0, 2_000),
          kinds: input.kinds,
          bytes: BigInt(size),
          createdBy: input.createdBy,
        },
      }),
    );
    return { id, bytes: size };
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
}

/** Put the workspace back as the snapshot has it (whatever is there now is snapshotted first). */
export async function restoreSnapshotFiles(tenantId: string, id: string, actor: string): Promise<{ previousId: string }> {
  const file = snapshotFile(tenantId, id);
  await stat(file).catch(() => {
    throw new Error("the snapshot's file is gone from the data folder; it cannot be restored");
  });
  const previous = await takeSnapshot({ tenantId, runId: null, createdBy: actor, command: `(before restoring snapshot ${id})`, kinds: [] });
  const workspace = await tenantWorkspace(tenantId);
  // Emptied as the app (the sandbox may have left folders it cannot write); rm removes links, never follows them.
  for (const entry of await readdir(workspace)) await rm(path.join(workspace, entry), { recursive: true, force: true });
  await tar(tenantId, ["-C", workspace, "--numeric-owner", "-xzf", "-"], { input: file });
  return { previousId: previous.id };
}

export async function removeSnapshotFile(tenantId: string, id: string): Promise<void> {
  await unlink(snapshotFile(tenantId, id)).catch(() => undefined);
}
