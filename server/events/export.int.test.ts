import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sign } from "@/server/crypto/signing";
import { withTenant } from "@/server/db";
import { createTenantFixture } from "@/server/test/factories";
import { checkpointsSettled, recordEvents } from "./append";
import { verifyChain } from "./chain";
import { checkpointMessage, listCheckpoints } from "./checkpoints";
import { exportLines } from "./export";
import { verifyExport } from "./export-verify";
import { activeSigningKey, publicKeys } from "./keys";
import { logPublicKeys } from "./tree-heads";

async function exportText(tenant: { id: string; slug: string }, filters = {}): Promise<string> {
  let text = "";
  for await (const line of exportLines(tenant, filters)) text += line;
  return text;
}

async function tenantWithEvents() {
  const fx = await createTenantFixture({ withEventLog: true });
  await recordEvents(
    fx.tenant.id,
    Array.from({ length: 30 }, (_, i) => ({
      runId: fx.runId,
      type: "message.user",
      eventClass: "message" as const,
      payload: { text: `line ${i}`, amount: i * 10 },
    })),
  );
  return fx;
}

describe("export", () => {
  it("an export verifies offline, with and without a pinned public key", async () => {
    const fx = await tenantWithEvents();
    const text = await exportText(fx.tenant);
    const result = verifyExport(text);
    expect(result).toMatchObject({ isValid: true, tenantSlug: fx.tenant.slug });
    if (!result.isValid) return;
    expect(result.events).toBe(33);
    expect(result.checkpoints).toBeGreaterThan(0);
    const [key] = await withTenant(fx.tenant.id, (_db, { sql: client }) => publicKeys(client, fx.tenant.id));
    expect(verifyExport(text, { pinnedPublicKey: key?.publicKey })).toMatchObject({ isValid: true });
    expect(verifyExport(text, { pinnedPublicKey: "A".repeat(43) })).toMatchObject({
      isValid: false,
      message: "The export is not signed by the public key you gave.",
    });
  });

  it("one edited byte anywhere fails verification with a clear message", async () => {
    const fx = await tenantWithEvents();
    const text = await exportText(fx.tenant);
    // An event's content.
    const edited = text.replace('"line 7"', '"line 8"');
    expect(edited).not.toBe(text);
    const eventResult = verifyExport(edited);
    expect(eventResult).toMatchObject({ isValid: false });
    if (!eventResult.isValid) expect(eventResult.message).toMatch(/event \d+\): the event was changed after it was recorded/);
    // Every single-byte change to a digit in the file is caught.
    for (let position = 0; position < text.length; position += 97) {
      const char = text[position];
      if (!char || !/[0-9a-f]/.test(char)) continue;
      const flipped = text.slice(0, position) + (char === "0" ? "1" : "0") + text.slice(position + 1);
      expect(verifyExport(flipped).isValid, `byte ${position}`).toBe(false);
    }
  });

  it("a filtered export holds only the matching events, and still verifies", async () => {
    const fx = await tenantWithEvents();
    const text = await exportText(fx.tenant, { classes: ["tool_result", "admin"] });
    const result = verifyExport(text);
    expect(result).toMatchObject({ isValid: true, isComplete: false });
    const kinds = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { kind: string; eventClass?: string });
    expect(new Set(kinds.filter((line) => line.kind === "event").map((line) => line.eventClass))).toEqual(new Set(["admin"]));
  });

  it("npm run verify-export checks a file and says what is wrong", async () => {
    const fx = await tenantWithEvents();
    const dir = mkdtempSync(path.join(os.tmpdir(), "fabric-export-"));
    const good = path.join(dir, "good.ndjson");
    const bad = path.join(dir, "bad.ndjson");
    const text = await exportText(fx.tenant);
    writeFileSync(good, text);
    writeFileSync(bad, text.replace('"line 3"', '"line X"'));
    const run = (file: string) =>
      promisify(execFile)(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/verify-export.ts", file]).then(
        (out) => ({ code: 0, out: out.stdout }),
        (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
      );
    expect(await run(good)).toMatchObject({ code: 0, out: expect.stringContaining("verified. 33 events") });
    expect(await run(bad)).toMatchObject({ code: 1, out: expect.stringContaining("NOT verified. Line") });
    const [key] = await withTenant(fx.tenant.id, (_db, { sql: client }) => publicKeys(client, fx.tenant.id));
    const [logKey] = await withTenant(fx.tenant.id, (_db, { sql: client }) => logPublicKeys(client));
    const pinned = await promisify(execFile)(process.execPath, [
      "node_modules/tsx/dist/cli.mjs",
      "scripts/verify-export.ts",
      good,
      "--public-key",
      key?.publicKey ?? "",
      "--log-public-key",
      logKey?.publicKey ?? "",
    ]);
    expect(pinned.stdout).toContain("the complete chain up to event 34");
    expect(pinned.stdout).not.toContain("pass --log-public-key");
    const wrongLog = await promisify(execFile)(process.execPath, [
      "node_modules/tsx/dist/cli.mjs",
      "scripts/verify-export.ts",
      good,
      "--log-public-key",
      "A".repeat(43),
    ]).then(
      () => "verified",
      (error: { stderr: string }) => error.stderr,
    );
    expect(wrongLog).toContain("The header does not list the log public key you gave.");
  }, 60_000);
});

describe("export of a tenant that never signed anything", () => {
  it("creates the signing key first, so the header lists the key that signs the trailer", async () => {
    const fx = await createTenantFixture();
    await recordEvents(fx.tenant.id, [{ type: "message.user", eventClass: "message", payload: { text: "first" } }]);
    expect(verifyExport(await exportText(fx.tenant))).toMatchObject({ isValid: true, events: 1, checkpoints: 0 });
  });
});

describe("export verification never throws", () => {
  it("answers 'not verified' for any mangled file", async () => {
    const fx = await tenantWithEvents();
    const text = await exportText(fx.tenant);
    for (let position = 0; position < text.length; position += 31) {
      const mangled = text.slice(0, position) + "\u0001" + text.slice(position + 1);
      expect(() => verifyExport(mangled)).not.toThrow();
      expect(verifyExport(mangled).isValid).toBe(false);
    }
  });
});

describe("checkpoints signed before chaining (version 1)", () => {
  it("still verify, and the first chained checkpoint links to the last of them", async () => {
    const fx = await createTenantFixture();
    const tenantId = fx.tenant.id;
    await withTenant(tenantId, (_db, { sql: client }) =>
      client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every, anchoring) VALUES ($1, 1000, 'off')", [tenantId]),
    );
    for (let i = 0; i < 5; i += 1) await recordEvents(tenantId, [{ type: "message.user", eventClass: "message", payload: { i } }]);
    // A row as the previous release wrote it: the v1 message, no link to a predecessor.
    await withTenant(tenantId, async (_db, { sql: client }) => {
      const head = (await client.query<{ last_hash: string }>("SELECT last_hash FROM event_chains WHERE tenant_id = $1", [tenantId]))
        .rows[0];
      const key = await activeSigningKey(client, tenantId);
      const statement = { tenantId, seq: "5", hash: head?.last_hash ?? "", version: 1 as const, prevSeq: null, prevDigest: null };
      await client.query("INSERT INTO checkpoints (tenant_id, seq, hash, key_id, signature, version) VALUES ($1, 5, $2, $3, $4, 1)", [
        tenantId,
        statement.hash,
        key.id,
        sign(key.privateKey, checkpointMessage(statement)),
      ]);
      await client.query("UPDATE event_log_settings SET checkpoint_every = 5 WHERE tenant_id = $1", [tenantId]);
    });
    for (let i = 5; i < 10; i += 1) await recordEvents(tenantId, [{ type: "message.user", eventClass: "message", payload: { i } }]);
    await checkpointsSettled();
    const [newest] = await withTenant(tenantId, (_db, { sql: client }) => listCheckpoints(client, tenantId));
    expect(newest).toMatchObject({ seq: "10", version: 2, prevSeq: "5" });
    expect(await verifyChain(tenantId)).toMatchObject({ isValid: true, checkpointsChecked: 2 });
    expect(verifyExport(await exportText(fx.tenant))).toMatchObject({ isValid: true, checkpoints: 2, proofs: 0 });
  });
});
