// The disk quota of a tenant's workspace: where the app runs as root and loop
// devices are available, the workspace is its own ext4 file system (a sparse
// image of WORKSPACE_QUOTA_MB under <WORKSPACE_ROOT>/.disks, loop-mounted
// nosuid,nodev on the workspace folder). A write past the quota fails with
// "No space left on device", for the shell and for fs.* alike, and the sandbox's
// mount table shows a loop device instead of the workspace's host path.
// Elsewhere (not root, no loop devices, WORKSPACE_QUOTA_MB=0) the workspace is a
// plain folder and the quota is not enforced; that is logged once.
import { spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { logger } from "@/server/logger";
import { isRoot, type TSandboxIdentity } from "./sandbox-user";
import { runtimeSetting } from "@/server/runtime-settings";

export function quotaMb(): number {
  const value = Number(runtimeSetting("WORKSPACE_QUOTA_MB") ?? 1024);
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : 1024;
}

// Under flock, so two processes never format or mount the same image at once. An
// existing plain workspace is moved into the image the first time. The file system
// has no journal and no reserved blocks: the quota is what the tenant can write.
const MOUNT = `
set -eu
img=$1; dir=$2; size=$3; owner=$4
if mountpoint -q "$dir"; then exit 0; fi
if [ ! -f "$img" ]; then
  rm -f "$img.new"
  truncate -s "\${size}M" "$img.new"
  mkfs.ext4 -q -F -m 0 -O ^has_journal -E root_owner="$owner" "$img.new" >/dev/null
  mv "$img.new" "$img"
fi
if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
  staging=$(mktemp -d "$dir.staging.XXXXXX")
  mount -o loop,nosuid,nodev "$img" "$staging"
  cp -a "$dir/." "$staging/" && umount "$staging" && rmdir "$staging"
  find "$dir" -mindepth 1 -delete
fi
mount -o loop,nosuid,nodev "$img" "$dir"
rmdir "$dir/lost+found" 2>/dev/null || true
chown "$owner" "$dir"
chmod 700 "$dir"
`;

const SYSTEM_PATH: Record<string, string> = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(args[0] as string, args.slice(1), { stdio: ["ignore", "ignore", "pipe"], env: SYSTEM_PATH as NodeJS.ProcessEnv });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => resolve({ code: null, stderr: error.message }));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const mounted = new Map<string, Promise<boolean>>();
let isWarned = false;

/** Mount the tenant's quota image on its workspace folder (once per process); false when no quota applies here. */
export function ensureQuota(root: string, dir: string, tenantId: string, identity: TSandboxIdentity | null): Promise<boolean> {
  const size = quotaMb();
  if (!isRoot() || !identity || size === 0) return Promise.resolve(false);
  let done = mounted.get(dir);
  if (!done) {
    done = (async () => {
      const disks = path.join(root, ".disks");
      await mkdir(disks, { recursive: true, mode: 0o700 });
      const image = path.join(disks, `${tenantId}.ext4`);
      const owner = `${identity.uid}:${identity.gid}`;
      const result = await run(["flock", `${image}.lock`, "/bin/sh", "-c", MOUNT, "workspace-mount", image, dir, String(size), owner]);
      if (result.code === 0) return true;
      mounted.delete(dir);
      if (!isWarned)
        logger.error(
          { stderr: result.stderr.slice(0, 500) },
          "workspace disk quota could not be mounted; the workspace is not size-limited",
        );
      isWarned = true;
      return false;
    })();
    mounted.set(dir, done);
  }
  return done;
}

/** Unmount every quota image under the root (tests, and an operator's shutdown). */
export async function releaseQuotaMounts(root: string): Promise<void> {
  const table = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  const points = table
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point.startsWith(root + path.sep));
  for (const point of points.reverse()) await run(["umount", "-l", point]);
  for (const dir of [...mounted.keys()]) if (dir.startsWith(root + path.sep)) mounted.delete(dir);
}
