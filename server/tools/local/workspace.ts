// Per-tenant workspaces for self_hosted local tools. Paths are relative to the
// tenant's workspace; absolute paths, ".." and symlinks that lead outside are
// refused. Only this module turns a path from a plan into a real path.
import { lstat, mkdir, realpath } from "node:fs/promises";
import path from "node:path";

export class WorkspaceError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The turbopackIgnore comments tell the bundler these are runtime data paths: without them
// it would trace (and ship) the whole project as if a workspace could be any source file.
export function workspaceRoot(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.WORKSPACE_ROOT || path.join(process.cwd(), ".data", "workspaces"));
}

export async function tenantWorkspace(tenantId: string): Promise<string> {
  if (!UUID.test(tenantId)) throw new WorkspaceError("tenant id must be a UUID");
  const dir = path.join(/*turbopackIgnore: true*/ workspaceRoot(), tenantId.toLowerCase());
  await mkdir(dir, { recursive: true, mode: 0o700 });
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
