// Per-tenant workspaces for self_hosted local tools. Paths are relative to the
// tenant's workspace; absolute paths, ".." and symlinks that lead outside are
// refused. Only this module turns a path from a plan into a real path.
import { chmod, chown, lstat, mkdir, realpath } from "node:fs/promises";
import path from "node:path";
import { sandboxIdentity } from "./sandbox-user";
import { ensureQuota } from "./workspace-disk";
import { isUuid } from "@/server/validation";
import { runtimeSetting } from "@/server/runtime-settings";

export class WorkspaceError extends Error {}

// The turbopackIgnore comments tell the bundler these are runtime data paths: without them
// it would trace (and ship) the whole project as if a workspace could be any source file.
export function workspaceRoot(): string {
  return path.resolve(/*turbopackIgnore: true*/ runtimeSetting("WORKSPACE_ROOT") || path.join(process.cwd(), ".data", "workspaces"));
}

/**
 * The tenant's workspace folder: created on first use, owned by the tenant's sandbox
 * user (mode 0700, so no other tenant's sandbox can enter it) and, where possible,
 * a quota-limited file system of its own (workspace-disk.ts).
 */
export async function tenantWorkspace(tenantId: string): Promise<string> {
  if (!isUuid(tenantId)) throw new WorkspaceError("tenant id must be a UUID");
  const id = tenantId.toLowerCase();
  const root = workspaceRoot();
  const dir = path.join(/*turbopackIgnore: true*/ root, id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const identity = sandboxIdentity(id);
  if (identity) {
    // The sandbox user must traverse the root to reach its own folder (bwrap binds it
    // as that user); 0711 lets it pass without listing the other tenants.
    await chmod(root, 0o711);
    await ensureQuota(root, dir, id, identity);
    await chown(dir, identity.uid, identity.gid);
    await chmod(dir, 0o700);
  }
  return realpath(/*turbopackIgnore: true*/ dir);
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

async function exists(target: string): Promise<boolean> {
  return lstat(target).then(
    () => true,
    () => false,
  );
}

/** The real path for a workspace-relative path, or a WorkspaceError saying why not. */
export async function confine(tenantId: string, relative: string, options: { mustExist?: boolean } = {}): Promise<string> {
  if (relative.includes("\u0000")) throw new WorkspaceError("paths cannot contain NUL");
  if (path.isAbsolute(relative) || /^[a-z]:[\\/]/i.test(relative))
    throw new WorkspaceError("absolute paths are refused: paths are relative to the workspace");
  const normalized = path.normalize(relative);
  if (normalized.split(/[\\/]/).includes("..")) throw new WorkspaceError('".." is refused: paths stay inside the workspace');
  const root = await tenantWorkspace(tenantId);
  const full = path.join(root, normalized);
  // The deepest existing ancestor, resolved, must still be inside: a symlink cannot lead out.
  let probe = full;
  while (!(await exists(probe))) probe = path.dirname(probe);
  if (!isInside(root, await realpath(probe))) throw new WorkspaceError("the path leads outside the workspace through a symbolic link");
  if (await exists(full)) {
    const stat = await lstat(full);
    if (stat.isSymbolicLink() && !isInside(root, await realpath(full)))
      throw new WorkspaceError("the path is a symbolic link to outside the workspace");
  } else if (options.mustExist) {
    throw new WorkspaceError(`${relative} does not exist in the workspace`);
  }
  return full;
}
