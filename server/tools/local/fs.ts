// fs.read / fs.write / fs.edit / fs.list: files of the tenant's workspace only.
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { TToolDefinition } from "../types";
import { sandboxIdentity } from "./sandbox-user";
import { confine, tenantWorkspace } from "./workspace";

const MAX_READ = 256 * 1024;
const ZPath = z.string().min(1).max(1_000);

export const fsRead: TToolDefinition<{ path: string }> = {
  name: "fs.read",
  description: "Read a text file of the workspace.",
  input: z.object({ path: ZPath }).strict(),
  safetyClass: "read_only",
  capability: "local",
  policyFields: (args) => ({ path: args.path }),
  execute: async (context, args) => {
    const full = await confine(context.tenantId, args.path, { mustExist: true });
    const real = await realpath(full);
    const stat = await lstat(real);
    if (!stat.isFile()) throw new Error(`${args.path} is not a file`);
    const content = await readFile(real);
    return {
      path: args.path,
      bytes: stat.size,
      content: content.subarray(0, MAX_READ).toString("utf8"),
      isTruncated: stat.size > MAX_READ,
    };
  },
};

/**
 * Write through a descriptor opened without following a final symlink, checked to be
 * inside the workspace before anything is written, and owned by the tenant's sandbox
 * user (new files 0600): the sandbox can read and change what fs.* wrote, nothing else
 * can, and a link swapped in by a concurrent command cannot redirect the write.
 */
async function writeOwned(tenantId: string, root: string, full: string, content: string): Promise<void> {
  const handle = await open(full, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    const real = await realpath(`/proc/self/fd/${handle.fd}`).catch(() => full);
    if (real !== root && !real.startsWith(root + path.sep)) throw new Error("the path leads outside the workspace");
    const identity = sandboxIdentity(tenantId);
    if (identity) await handle.chown(identity.uid, identity.gid);
    await handle.truncate(0);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Folders fs.write created (from the first created down to the file's folder) belong to the sandbox user. */
async function ownFolders(tenantId: string, root: string, created: string | undefined, folder: string): Promise<void> {
  const identity = sandboxIdentity(tenantId);
  if (!identity || !created) return;
  for (let dir = folder; dir.startsWith(created) && dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
    const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      await handle.chown(identity.uid, identity.gid);
    } finally {
      await handle.close();
    }
  }
}

export const fsWrite: TToolDefinition<{ path: string; content: string }> = {
  name: "fs.write",
  description: "Write a text file in the workspace (creating folders as needed).",
  input: z.object({ path: ZPath, content: z.string().max(1_000_000) }).strict(),
  safetyClass: "write_internal",
  capability: "local",
  policyFields: (args) => ({ path: args.path }),
  execute: async (context, args) => {
    const full = await confine(context.tenantId, args.path);
    const root = await tenantWorkspace(context.tenantId);
    const created = await mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
    // Checked again after creating folders: nothing may have become a link meanwhile.
    await confine(context.tenantId, args.path);
    await ownFolders(context.tenantId, root, created, path.dirname(full));
    await writeOwned(context.tenantId, root, full, args.content);
    return { path: args.path, bytes: Buffer.byteLength(args.content) };
  },
};

export const fsEdit: TToolDefinition<{ path: string; find: string; replace: string }> = {
  name: "fs.edit",
  description: "Replace the first occurrence of a text in a workspace file.",
  input: z.object({ path: ZPath, find: z.string().min(1).max(100_000), replace: z.string().max(100_000) }).strict(),
  safetyClass: "write_internal",
  capability: "local",
  policyFields: (args) => ({ path: args.path }),
  execute: async (context, args) => {
    const full = await confine(context.tenantId, args.path, { mustExist: true });
    const text = await readFile(full, "utf8");
    if (!text.includes(args.find)) return { path: args.path, isChanged: false };
    await writeOwned(context.tenantId, await tenantWorkspace(context.tenantId), full, text.replace(args.find, args.replace));
    return { path: args.path, isChanged: true };
  },
};

export const fsList: TToolDefinition<{ path?: string }> = {
  name: "fs.list",
  description: "List a folder of the workspace.",
  input: z.object({ path: ZPath.optional() }).strict(),
  safetyClass: "read_only",
  capability: "local",
  execute: async (context, args) => {
    const full = args.path ? await confine(context.tenantId, args.path, { mustExist: true }) : await tenantWorkspace(context.tenantId);
    const entries = await readdir(full, { withFileTypes: true });
    return {
      entries: entries
        .slice(0, 500)
        .map((entry) => ({ name: entry.name, type: entry.isDirectory() ? "folder" : entry.isSymbolicLink() ? "link" : "file" })),
    };
  },
};

export const FS_TOOLS = [fsRead, fsWrite, fsEdit, fsList];
