// Whether the postgres user can reach a folder decides where, as root, the embedded
// server's binaries and data go (see postgres-server.ts).
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canTraverse } from "./postgres-server";

// Someone who owns none of the folders and is in none of their groups.
const stranger = { uid: 54_321, gid: 54_321 };
const made: string[] = [];

function tree(parentMode: number): string {
  const top = mkdtempSync(path.join(os.tmpdir(), "fabric-traverse-"));
  made.push(top);
  chmodSync(top, parentMode);
  const inner = path.join(top, "project", ".data");
  mkdirSync(inner, { recursive: true, mode: 0o755 });
  return inner;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("canTraverse", () => {
  it("is false below a 0700 folder the user does not own, as under /root", () => {
    expect(canTraverse(tree(0o700), stranger)).toBe(false);
  });

  it("is true where every folder on the way lets others search it", () => {
    expect(canTraverse(tree(0o755), stranger)).toBe(true);
    expect(canTraverse(tree(0o711), stranger)).toBe(true);
  });

  it("judges a folder that does not exist yet by the ones above it", () => {
    expect(canTraverse(path.join(tree(0o755), "postgres", "later"), stranger)).toBe(true);
    expect(canTraverse(path.join(tree(0o700), "postgres", "later"), stranger)).toBe(false);
  });
});
