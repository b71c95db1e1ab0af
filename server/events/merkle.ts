// Merkle tree hashing and proofs of RFC 6962 / RFC 9162 (Certificate Transparency) over
// SHA-256. Pure functions over Buffers: callers store leaf hashes and tree heads; this
// module only derives roots and builds or checks proofs.
//
// Builders (`rootFromLeafHashes`, `inclusionProof`, `consistencyProof`) take our own data
// and throw a RangeError on a caller bug. Verifiers take what a client or peer sent and
// never throw: anything malformed is simply `false`.
import { createHash } from "node:crypto";

const DIGEST_BYTES = 32;

// Domain separation prefixes: a leaf can never be passed off as an interior node.
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(data: Buffer): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

// The tree of the empty list hashes the empty string (RFC 6962 section 2.1).
const EMPTY_ROOT = createHash("sha256").digest();

// The largest power of two strictly smaller than n, for n >= 2: the size of the left
// subtree. RFC 6962 trees are left-complete, and an odd node is promoted unchanged
// rather than paired with a copy of itself.
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function leafAt(leafHashes: Buffer[], index: number): Buffer {
  const leaf = leafHashes[index];
  if (leaf === undefined) throw new RangeError(`no leaf hash at index ${index}`);
  return leaf;
}

type TSubtreeRoot = (start: number, end: number) => Buffer;

// MTH(D[start:end]) over index ranges, so no array is copied; recursion depth is log2(n).
function plainRoots(leafHashes: Buffer[]): TSubtreeRoot {
  const root: TSubtreeRoot = (start, end) => {
    const n = end - start;
    if (n === 1) return leafAt(leafHashes, start);
    const k = splitPoint(n);
    return nodeHash(root(start, start + k), root(start + k, end));
  };
  return root;
}

// The same, remembering every subtree root: many proofs over one tree (an export proves
// each anchored checkpoint) then cost O(n) hashing once instead of O(n) per proof.
function memoRoots(leafHashes: Buffer[]): TSubtreeRoot {
  const memo = new Map<number, Buffer>();
  const size = leafHashes.length + 1;
  const root: TSubtreeRoot = (start, end) => {
    const n = end - start;
    if (n === 1) return leafAt(leafHashes, start);
    const key = start * size + end;
    const known = memo.get(key);
    if (known) return known;
    const k = splitPoint(n);
    const value = nodeHash(root(start, start + k), root(start + k, end));
    memo.set(key, value);
    return value;
  };
  return root;
}

export function rootFromLeafHashes(leafHashes: Buffer[]): Buffer {
  if (leafHashes.length === 0) return Buffer.from(EMPTY_ROOT);
  return plainRoots(leafHashes)(0, leafHashes.length);
}

// PATH(m, D[start:end]) of RFC 6962 section 2.1.1, appending to `proof` leaf-side first.
function appendPath(root: TSubtreeRoot, m: number, start: number, end: number, proof: Buffer[]): void {
  const n = end - start;
  if (n === 1) return;
  const k = splitPoint(n);
  if (m < k) {
    appendPath(root, m, start, start + k, proof);
    proof.push(root(start + k, end));
  } else {
    appendPath(root, m - k, start + k, end, proof);
    proof.push(root(start, start + k));
  }
}

function buildInclusion(root: TSubtreeRoot, size: number, index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  const proof: Buffer[] = [];
  appendPath(root, index, 0, size, proof);
  return proof;
}

export function inclusionProof(leafHashes: Buffer[], index: number): Buffer[] {
  return buildInclusion(plainRoots(leafHashes), leafHashes.length, index);
}

// SUBPROOF(m, D[start:end], b) of RFC 6962 section 2.1.2. `isOldTreeRoot` is the RFC's b:
// while it holds, the subtree reached is the whole old tree, whose root the verifier
// already has, so it is left out of the proof.
function appendSubproof(root: TSubtreeRoot, m: number, start: number, end: number, isOldTreeRoot: boolean, proof: Buffer[]): void {
  const n = end - start;
  if (m === n) {
    if (!isOldTreeRoot) proof.push(root(start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    appendSubproof(root, m, start, start + k, isOldTreeRoot, proof);
    proof.push(root(start + k, end));
  } else {
    appendSubproof(root, m - k, start + k, end, false, proof);
    proof.push(root(start, start + k));
  }
}

function buildConsistency(root: TSubtreeRoot, newSize: number, oldSize: number): Buffer[] {
  if (!Number.isInteger(oldSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`old size ${oldSize} is outside 0..${newSize}`);
  }
  // Every tree extends the empty tree, and a tree is consistent with itself: nothing to prove.
  if (oldSize === 0 || oldSize === newSize) return [];
  const proof: Buffer[] = [];
  appendSubproof(root, oldSize, 0, newSize, true, proof);
  return proof;
}

export function consistencyProof(leafHashes: Buffer[], oldSize: number): Buffer[] {
  return buildConsistency(plainRoots(leafHashes), leafHashes.length, oldSize);
}

/** Many proofs over one tree, sharing the subtree roots they need. */
export class MerkleTree {
  private readonly root: TSubtreeRoot;

  constructor(private readonly leafHashes: Buffer[]) {
    this.root = memoRoots(leafHashes);
  }

  get size(): number {
    return this.leafHashes.length;
  }

  rootHash(): Buffer {
    return this.size === 0 ? Buffer.from(EMPTY_ROOT) : this.root(0, this.size);
  }

  inclusionProof(index: number): Buffer[] {
    return buildInclusion(this.root, this.size, index);
  }

  consistencyProof(oldSize: number): Buffer[] {
    return buildConsistency(this.root, this.size, oldSize);
  }
}

// The frontier of a tree: the roots of the perfect subtrees its size decomposes into
// (one per set bit, largest and leftmost first). Appending a leaf and taking the root
// need only the frontier, so the log's head advances in O(log n) without reading
// every leaf.

/** The frontier of a tree with these leaves. */
export function frontierOf(leafHashes: Buffer[]): Buffer[] {
  const frontier: Buffer[] = [];
  let start = 0;
  let remaining = leafHashes.length;
  const roots = plainRoots(leafHashes);
  while (remaining > 0) {
    let k = 1;
    while (k * 2 <= remaining) k *= 2;
    frontier.push(roots(start, start + k));
    start += k;
    remaining -= k;
  }
  return frontier;
}

/** The frontier after appending `leaf` to a tree of `size` leaves. */
export function frontierAppend(frontier: Buffer[], size: number, leaf: Buffer): Buffer[] {
  const next = [...frontier, leaf];
  // Like a binary counter's carry: each trailing one bit of the old size merges two equal subtrees.
  for (let carry = size; isOdd(carry); carry = half(carry)) {
    const right = next.pop();
    const left = next.pop();
    if (!left || !right) throw new RangeError(`a frontier of ${frontier.length} roots does not describe a tree of size ${size}`);
    next.push(nodeHash(left, right));
  }
  return next;
}

export function rootFromFrontier(frontier: Buffer[]): Buffer {
  let root = frontier[frontier.length - 1];
  if (!root) return Buffer.from(EMPTY_ROOT);
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i] as Buffer, root);
  return root;
}

// Verifier inputs come from outside: check types at runtime, not only in the type system.
function isDigest(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === DIGEST_BYTES;
}

// An indexed loop rather than `every`, which skips the holes of a sparse array.
function isProof(value: unknown): value is Buffer[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isDigest(value[i])) return false;
  }
  return true;
}

// Tree sizes are counts; above 2^53 halving by division would lose bits.
function isSize(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

// Arithmetic, not `x & (x - 1)`: bitwise operators truncate to 32 bits.
function isPowerOfTwo(x: number): boolean {
  let v = x;
  while (v > 1 && !isOdd(v)) v = half(v);
  return v === 1;
}

// RFC 9162 section 2.1.3.2. fn walks the leaf's position up the tree and sn the last
// node's; when fn == sn with fn even, the leaf's subtree is a promoted right edge with no
// sibling at those levels, so both are shifted past them without consuming the proof.
export function verifyInclusion(args: { leafHash: Buffer; index: number; treeSize: number; proof: Buffer[]; root: Buffer }): boolean {
  const { leafHash: leaf, index, treeSize, proof, root } = args;
  if (!isDigest(leaf) || !isDigest(root) || !isProof(proof)) return false;
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;

  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    // The path is longer than the tree is deep.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // sn === 0 means the path reached the root: a short proof cannot pass.
  return sn === 0 && r.equals(root);
}

// RFC 9162 section 2.1.4.2. fr rebuilds the old root and sr the new one from the same
// path; hashes to the right of the old tree's last leaf feed only sr.
export function verifyConsistency(args: { oldSize: number; newSize: number; oldRoot: Buffer; newRoot: Buffer; proof: Buffer[] }): boolean {
  const { oldSize, newSize, oldRoot, newRoot, proof } = args;
  if (!isDigest(oldRoot) || !isDigest(newRoot) || !isProof(proof)) return false;
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;

  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;

  // A power-of-two old tree is a complete subtree of the new one, so the builder leaves
  // its root out of the proof and the verifier puts it back.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;

  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
