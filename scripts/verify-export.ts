// npm run verify-export -- FILE [--public-key KEY]
// Verifies an event-log export offline. KEY is the tenant's Ed25519 public key
// (base64url, from Settings → Signing keys) obtained through a channel you trust;
// without it, the keys listed in the file's own header are used.
import { readFileSync } from "node:fs";
import { verifyExport } from "@/server/events/export-verify";

const args = process.argv.slice(2);
const keyFlag = args.indexOf("--public-key");
const pinnedPublicKey = keyFlag >= 0 ? args[keyFlag + 1] : undefined;
const file = args.find((arg, index) => !arg.startsWith("--") && (keyFlag < 0 || index !== keyFlag + 1));

if (!file) {
  process.stderr.write("usage: npm run verify-export -- FILE [--public-key KEY]\n");
  process.exit(2);
}

let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (error) {
  process.stderr.write(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const result = verifyExport(text, { pinnedPublicKey });
if (result.isValid) {
  process.stdout.write(
    `✓ ${file}: verified. ${result.events} events and ${result.checkpoints} checkpoints of tenant ${result.tenantSlug}, signed by key ${result.keyId}.\n`,
  );
  if (!pinnedPublicKey)
    process.stdout.write("  (Checked against the keys in the file itself; pass --public-key to pin the tenant's key.)\n");
  process.exit(0);
}
process.stderr.write(`✗ ${file}: NOT verified. Line ${result.line}: ${result.message}\n`);
process.exit(1);
