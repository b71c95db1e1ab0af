// npm run verify-export -- FILE [--public-key KEY] [--log-public-key KEY]
// Verifies an event-log export offline. KEY is the tenant's Ed25519 public key
// (base64url, from Settings → Signing keys) obtained through a channel you trust;
// without it, the keys listed in the file's own header are used. --log-public-key
// pins the transparency log's key the same way for the signed tree heads.
import { readFileSync } from "node:fs";
import { verifyExport } from "@/server/events/export-verify";

const USAGE = "usage: npm run verify-export -- FILE [--public-key KEY] [--log-public-key KEY]\n";
const FLAGS = ["--public-key", "--log-public-key"];
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const pinnedPublicKey = flag("--public-key");
const pinnedLogPublicKey = flag("--log-public-key");
const file = args.find((arg, index) => !arg.startsWith("--") && !FLAGS.includes(args[index - 1] ?? ""));

if (!file || args.some((arg, index) => FLAGS.includes(arg) && (args[index + 1] === undefined || args[index + 1]?.startsWith("--")))) {
  process.stderr.write(USAGE);
  process.exit(2);
}

let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (error) {
  process.stderr.write(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const result = verifyExport(text, { pinnedPublicKey, pinnedLogPublicKey });
if (result.isValid) {
  const scope = result.isComplete
    ? `the complete chain up to event ${result.headSeq}`
    : `a filtered export (head at event ${result.headSeq}; events left out are not checked)`;
  process.stdout.write(
    `✓ ${file}: verified. ${result.events} events and ${result.checkpoints} checkpoints of tenant ${result.tenantSlug}, ${scope}, signed by key ${result.keyId}.\n` +
      `  ${result.proofs} anchored checkpoints proved in the transparency log (tree size ${result.treeSize}, log key ${result.logKeyId}).\n`,
  );
  if (result.proofsWithoutAnchor > 0)
    process.stdout.write(`  ${result.proofsWithoutAnchor} of them were anchored before tree heads were signed: no consistency proof.\n`);
  if (!pinnedPublicKey)
    process.stdout.write("  (Checked against the keys in the file itself; pass --public-key to pin the tenant's key.)\n");
  if (!pinnedLogPublicKey)
    process.stdout.write("  (Tree heads checked against the log keys in the file itself; pass --log-public-key to pin the log's key.)\n");
  process.exit(0);
}
process.stderr.write(`✗ ${file}: NOT verified. Line ${result.line}: ${result.message}\n`);
process.exit(1);
