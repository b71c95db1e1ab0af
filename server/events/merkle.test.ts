import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  frontierAppend,
  frontierOf,
  inclusionProof,
  leafHash,
  MerkleTree,
  nodeHash,
  rootFromFrontier,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "./merkle";

const hex = (s: string) => Buffer.from(s, "hex");
const hexes = (proof: Buffer[]) => proof.map((h) => h.toString("hex"));

// The RFC 6962 reference vectors shared by Certificate Transparency implementations.
const CT_INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(hex);
const CT_LEAVES = CT_INPUTS.map(leafHash);
const CT_ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const ctRoot = (size: number) => hex(CT_ROOTS[size] ?? "");

const CT_INCLUSION = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const CT_CONSISTENCY = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

// Distinct leaves: with two equal sibling leaves a proof for one also proves the other,
// so "a wrong index fails" would not hold.
function makeLeaves(size: number, salt = "leaf"): Buffer[] {
  return Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`${salt}/${i}`)));
}

// A copy of `buffers` with one byte of one element changed.
function withFlippedByte(buffers: Buffer[], element: number, byte: number, mask: number): Buffer[] {
  return buffers.map((b, i) => (i === element ? flipByte(b, byte, mask) : b));
}

function flipByte(buffer: Buffer, byte: number, mask: number): Buffer {
  const copy = Buffer.from(buffer);
  const at = byte % copy.length;
  copy[at] = (copy[at] ?? 0) ^ mask;
  return copy;
}

// MTH written as literally as RFC 6962 states it (array slices), to check the index-range
// implementation against.
function referenceRoot(d: Buffer[]): Buffer {
  if (d.length === 0) return createHash("sha256").digest();
  if (d.length === 1) return at(d, 0);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return nodeHash(referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}

function at(buffers: Buffer[], index: number): Buffer {
  const buffer = buffers[index];
  if (buffer === undefined) throw new Error(`no buffer at ${index}`);
  return buffer;
}

const tree = (minSize: number) =>
  fc.record({ size: fc.integer({ min: minSize, max: 200 }), salt: fc.string() }).map(({ size, salt }) => makeLeaves(size, salt));

const treeAndIndex = (minSize: number) =>
  tree(minSize).chain((leaves) => fc.record({ leaves: fc.constant(leaves), index: fc.nat(leaves.length - 1) }));

// Old sizes strictly inside the tree: the cases whose proofs are non-empty.
const treeAndOldSize = tree(2).chain((leaves) =>
  fc.record({ leaves: fc.constant(leaves), oldSize: fc.integer({ min: 1, max: leaves.length - 1 }) }),
);

// Proofs that are not arrays of 32-byte Buffers, as a JSON body or a bug could deliver them.
const JUNK_PROOFS = [[null], ["ab".repeat(32)], [{}], new Array<Buffer>(3), "proof", { length: 1 }] as unknown as Buffer[][];

const flip = fc.record({ element: fc.nat(), byte: fc.nat(31), mask: fc.integer({ min: 1, max: 255 }) });

describe("RFC 6962 reference vectors", () => {
  it("hashes the empty tree to SHA-256 of the empty string", () => {
    expect(rootFromLeafHashes([]).toString("hex")).toBe(CT_ROOTS[0]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("computes the root of the first %i leaves", (size) => {
    expect(rootFromLeafHashes(CT_LEAVES.slice(0, size))).toEqual(ctRoot(size));
  });

  it.each(CT_INCLUSION)("builds and verifies inclusion of leaf $index in size $size", ({ index, size, proof }) => {
    const leaves = CT_LEAVES.slice(0, size);
    expect(hexes(inclusionProof(leaves, index))).toEqual(proof);
    expect(verifyInclusion({ leafHash: at(CT_LEAVES, index), index, treeSize: size, proof: proof.map(hex), root: ctRoot(size) })).toBe(
      true,
    );
  });

  it.each(CT_CONSISTENCY)("builds and verifies consistency $oldSize -> $newSize", ({ oldSize, newSize, proof }) => {
    expect(hexes(consistencyProof(CT_LEAVES.slice(0, newSize), oldSize))).toEqual(proof);
    const args = { oldSize, newSize, oldRoot: ctRoot(oldSize), newRoot: ctRoot(newSize), proof: proof.map(hex) };
    expect(verifyConsistency(args)).toBe(true);
  });
});

describe("tree building", () => {
  it("matches the literal RFC 6962 definition, including promoted odd nodes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), (size) => {
        const leaves = makeLeaves(size);
        expect(rootFromLeafHashes(leaves)).toEqual(referenceRoot(leaves));
      }),
    );
  });

  it("refuses an index or old size outside the tree", () => {
    const leaves = makeLeaves(5);
    expect(() => inclusionProof(leaves, 5)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, -1)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 6)).toThrow(RangeError);
    expect(consistencyProof(leaves, 0)).toEqual([]);
    expect(consistencyProof(leaves, 5)).toEqual([]);
  });
});

describe("verifyInclusion", () => {
  it("accepts every honest proof and rejects it at any other index or a differently shaped size", () => {
    fc.assert(
      fc.property(treeAndIndex(1), ({ leaves, index }) => {
        const treeSize = leaves.length;
        const args = {
          leafHash: at(leaves, index),
          index,
          treeSize,
          proof: inclusionProof(leaves, index),
          root: rootFromLeafHashes(leaves),
        };
        expect(verifyInclusion(args)).toBe(true);
        for (let other = 0; other < treeSize; other++) {
          if (other !== index) expect(verifyInclusion({ ...args, index: other })).toBe(false);
        }
        // Sizes giving the leaf a different depth; a size of the same shape would reuse the
        // proof, which is why tree heads sign the size with the root.
        for (const wrongSize of [index, treeSize * 2, Math.floor(treeSize / 2)]) {
          expect(verifyInclusion({ ...args, treeSize: wrongSize })).toBe(false);
        }
      }),
    );
  });

  it("rejects a flipped byte in the proof, the leaf or the root, and a proof of the wrong length", () => {
    fc.assert(
      fc.property(treeAndIndex(2), flip, ({ leaves, index }, { element, byte, mask }) => {
        const proof = inclusionProof(leaves, index);
        const root = rootFromLeafHashes(leaves);
        const args = { leafHash: at(leaves, index), index, treeSize: leaves.length, proof, root };
        expect(verifyInclusion({ ...args, proof: withFlippedByte(proof, element % proof.length, byte, mask) })).toBe(false);
        expect(verifyInclusion({ ...args, leafHash: flipByte(args.leafHash, byte, mask) })).toBe(false);
        expect(verifyInclusion({ ...args, root: flipByte(root, byte, mask) })).toBe(false);
        expect(verifyInclusion({ ...args, proof: proof.slice(0, -1) })).toBe(false);
        expect(verifyInclusion({ ...args, proof: [...proof, root] })).toBe(false);
        expect(verifyInclusion({ ...args, proof: [root, ...proof] })).toBe(false);
      }),
    );
  });

  it("returns false on malformed input instead of throwing", () => {
    const leaves = makeLeaves(4);
    const good = { leafHash: at(leaves, 1), index: 1, treeSize: 4, proof: inclusionProof(leaves, 1), root: rootFromLeafHashes(leaves) };
    expect(verifyInclusion(good)).toBe(true);
    for (const bad of [
      { index: 4 },
      { index: -1 },
      { index: 1.5 },
      { index: Number.NaN },
      { treeSize: 0 },
      { treeSize: Number.POSITIVE_INFINITY },
      { proof: [] },
      { proof: good.proof.map((h) => h.subarray(0, 31)) },
      ...JUNK_PROOFS.map((proof) => ({ proof })),
      { leafHash: Buffer.alloc(0) },
      { root: Buffer.concat([good.root, Buffer.from([0])]) },
    ]) {
      expect(verifyInclusion({ ...good, ...bad })).toBe(false);
    }
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
        const args = { leafHash: a, index: b, treeSize: c, proof: d, root: e } as unknown as Parameters<typeof verifyInclusion>[0];
        expect(verifyInclusion(args)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (proof) => {
        expect(verifyInclusion({ ...good, proof: proof as Buffer[] })).toBe(false);
      }),
    );
  });
});

describe("verifyConsistency", () => {
  it("accepts every honest proof between any two sizes", () => {
    fc.assert(
      fc.property(
        tree(0).chain((leaves) => fc.record({ leaves: fc.constant(leaves), oldSize: fc.nat(leaves.length) })),
        ({ leaves, oldSize }) => {
          const args = {
            oldSize,
            newSize: leaves.length,
            oldRoot: rootFromLeafHashes(leaves.slice(0, oldSize)),
            newRoot: rootFromLeafHashes(leaves),
            proof: consistencyProof(leaves, oldSize),
          };
          expect(verifyConsistency(args)).toBe(true);
        },
      ),
    );
  });

  it("rejects a tampered proof, a mutated old or new tree, swapped roots and a larger claimed size", () => {
    fc.assert(
      fc.property(treeAndOldSize, flip, fc.nat(), ({ leaves, oldSize }, { element, byte, mask }, mutateAt) => {
        const proof = consistencyProof(leaves, oldSize);
        const oldRoot = rootFromLeafHashes(leaves.slice(0, oldSize));
        const newRoot = rootFromLeafHashes(leaves);
        const args = { oldSize, newSize: leaves.length, oldRoot, newRoot, proof };
        expect(verifyConsistency({ ...args, proof: withFlippedByte(proof, element % proof.length, byte, mask) })).toBe(false);
        expect(verifyConsistency({ ...args, proof: proof.slice(0, -1) })).toBe(false);
        expect(verifyConsistency({ ...args, proof: [...proof, newRoot] })).toBe(false);
        expect(verifyConsistency({ ...args, proof: [oldRoot, ...proof] })).toBe(false);
        expect(verifyConsistency({ ...args, oldRoot: newRoot, newRoot: oldRoot })).toBe(false);
        // A larger claimed size gives the old tree's edge a longer path than the proof covers.
        expect(verifyConsistency({ ...args, newSize: leaves.length * 2 })).toBe(false);

        const mutated = leaves.map((leaf, i) => (i === mutateAt % oldSize ? leafHash(Buffer.from("mutated")) : leaf));
        expect(verifyConsistency({ ...args, oldRoot: rootFromLeafHashes(mutated.slice(0, oldSize)) })).toBe(false);
        expect(verifyConsistency({ ...args, newRoot: rootFromLeafHashes(mutated) })).toBe(false);
      }),
    );
  });

  it("treats equal sizes and the empty old tree as trivially consistent, with an empty proof only", () => {
    const leaves = makeLeaves(5);
    const root = rootFromLeafHashes(leaves);
    const other = rootFromLeafHashes(makeLeaves(5, "other"));
    expect(verifyConsistency({ oldSize: 5, newSize: 5, oldRoot: root, newRoot: root, proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 5, newSize: 5, oldRoot: root, newRoot: other, proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: 5, newSize: 5, oldRoot: root, newRoot: root, proof: [root] })).toBe(false);
    const empty = rootFromLeafHashes([]);
    expect(verifyConsistency({ oldSize: 0, newSize: 5, oldRoot: empty, newRoot: root, proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 0, newSize: 5, oldRoot: empty, newRoot: root, proof: [root] })).toBe(false);
  });

  it("returns false on malformed input instead of throwing", () => {
    const leaves = makeLeaves(6);
    const good = {
      oldSize: 3,
      newSize: 6,
      oldRoot: rootFromLeafHashes(leaves.slice(0, 3)),
      newRoot: rootFromLeafHashes(leaves),
      proof: consistencyProof(leaves, 3),
    };
    expect(verifyConsistency(good)).toBe(true);
    for (const bad of [
      { oldSize: 7 },
      { oldSize: -1 },
      { oldSize: 2.5 },
      { newSize: Number.NaN },
      { proof: [] },
      { proof: [Buffer.alloc(0), ...good.proof] },
      ...JUNK_PROOFS.map((proof) => ({ proof })),
      { oldRoot: Buffer.alloc(0) },
    ]) {
      expect(verifyConsistency({ ...good, ...bad })).toBe(false);
    }
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
        const args = { oldSize: a, newSize: b, oldRoot: c, newRoot: d, proof: e } as unknown as Parameters<typeof verifyConsistency>[0];
        expect(verifyConsistency(args)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (proof) => {
        expect(verifyConsistency({ ...good, proof: proof as Buffer[] })).toBe(false);
      }),
    );
  });
});

describe("a tree of 1,000 leaves", () => {
  const leaves = makeLeaves(1000);
  const root = rootFromLeafHashes(leaves);

  it("proves the inclusion of every 37th leaf", () => {
    for (let index = 0; index < leaves.length; index += 37) {
      const proof = inclusionProof(leaves, index);
      expect(verifyInclusion({ leafHash: at(leaves, index), index, treeSize: 1000, proof, root })).toBe(true);
    }
  });

  it.each([1, 2, 37, 511, 512, 513, 999, 1000])("proves consistency from size %i", (oldSize) => {
    const args = {
      oldSize,
      newSize: 1000,
      oldRoot: rootFromLeafHashes(leaves.slice(0, oldSize)),
      newRoot: root,
      proof: consistencyProof(leaves, oldSize),
    };
    expect(verifyConsistency(args)).toBe(true);
  });
});

describe("MerkleTree (memoized proofs)", () => {
  it("gives the same roots and proofs as the plain builders, and they verify", () => {
    const leaves = Array.from({ length: 77 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const tree = new MerkleTree(leaves);
    expect(tree.rootHash().equals(rootFromLeafHashes(leaves))).toBe(true);
    for (let index = 0; index < leaves.length; index += 5) {
      const proof = tree.inclusionProof(index);
      expect(hexes(proof)).toEqual(hexes(inclusionProof(leaves, index)));
      expect(verifyInclusion({ leafHash: leaves[index] as Buffer, index, treeSize: leaves.length, proof, root: tree.rootHash() })).toBe(
        true,
      );
    }
    for (let oldSize = 0; oldSize <= leaves.length; oldSize += 7) {
      const proof = tree.consistencyProof(oldSize);
      expect(hexes(proof)).toEqual(hexes(consistencyProof(leaves, oldSize)));
      const oldRoot = rootFromLeafHashes(leaves.slice(0, oldSize));
      expect(verifyConsistency({ oldSize, newSize: leaves.length, oldRoot, newRoot: tree.rootHash(), proof })).toBe(true);
    }
    expect(new MerkleTree([]).rootHash().toString("hex")).toBe(CT_ROOTS[0]);
  });
});

describe("frontier", () => {
  it("matches the RFC 6962 reference roots at every size", () => {
    let frontier: Buffer[] = [];
    expect(rootFromFrontier(frontier).equals(ctRoot(0))).toBe(true);
    for (const [size, leaf] of CT_LEAVES.entries()) {
      frontier = frontierAppend(frontier, size, leaf);
      expect(rootFromFrontier(frontier).toString("hex"), `size ${size + 1}`).toBe(CT_ROOTS[size + 1]);
    }
  });

  it("appending leaf by leaf equals the frontier and root computed from all leaves (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (size) => {
        const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from([i & 0xff, i >> 8])));
        let frontier: Buffer[] = [];
        for (const [index, leaf] of leaves.entries()) frontier = frontierAppend(frontier, index, leaf);
        expect(hexes(frontier)).toEqual(hexes(frontierOf(leaves)));
        expect(rootFromFrontier(frontier).equals(rootFromLeafHashes(leaves))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("refuses a frontier that does not fit the size", () => {
    expect(() => frontierAppend([], 1, leafHash(Buffer.from("x")))).toThrow(RangeError);
  });
});
