import { describe, expect, it } from "vitest";
import { compositionFromRow, DEFAULT_PACKS, defaultPacks } from "./composition";

describe("the default composition", () => {
  it("leaves the shell pack out in saas, where no shell tool can exist, and keeps it in self_hosted", () => {
    expect(defaultPacks("saas").map((ref) => ref.name)).toEqual(["baseline", "treasury", "pii-strict", "external-tools-untrusted"]);
    expect(defaultPacks("self_hosted")).toEqual(DEFAULT_PACKS);
    expect(compositionFromRow(null, "saas").packs.map((pack) => pack.name)).not.toContain("shell-command-safety");
    expect(compositionFromRow(null, "self_hosted").packs.map((pack) => pack.name)).toContain("shell-command-safety");
  });

  it("keeps a stored composition as it is in either mode", () => {
    const row = { packs: [{ name: "shell-command-safety", version: 1 }], disabledPolicies: [], tenantPolicies: "", version: 3 };
    expect(compositionFromRow(row, "saas")).toMatchObject({ version: 3, missingPacks: [], packs: [{ name: "shell-command-safety" }] });
  });
});
