// Appends hash in SQL (append_chained_events): every hash must be the one the app and
// the offline verifier compute, whatever the payload holds. Property-tested with
// arbitrary JSON (unicode, escapes, a payload that imitates the event's own fields),
// through both paths: the one-message append with COMMIT and the append inside a
// caller's transaction; then the whole chain is verified from genesis.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { appendEvents, checkpointsSettled, recordEvents, type TNewEvent } from "./append";
import { verifyChain } from "./chain";
import { eventHash } from "./hash";

let fx: TTenantFixture;
beforeAll(async () => {
  fx = await createTenantFixture();
  // Checkpoints often, so both paths make some: in the caller's transaction, and right
  // after a one-message append commits.
  await withTenant(fx.tenant.id, (_db, { sql }) =>
    sql.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 3)", [fx.tenant.id]),
  );
});

// Any text the log accepts: no NUL (PostgreSQL) and no lone surrogate (RFC 8785 refuses it).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const tricky = fc.oneof(
  fc.string({ unit: "binary" }).filter((text) => !text.includes("\u0000") && !LONE_SURROGATE.test(text)),
  fc.constantFrom('","seq":"1","tenantId":"x', "<seq>", '"seq":"<seq>"', "\\", "é✓😀", "\u2028", "'; DROP TABLE events; --"),
);
const payloads = fc.dictionary(
  tricky,
  fc.oneof(tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
  {
    maxKeys: 4,
  },
);

describe("events hashed in SQL", () => {
  it("chain to exactly the hashes the app computes, through both append paths", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payloads, { minLength: 1, maxLength: 4 }), fc.boolean(), async (items, inTransaction) => {
        const events: TNewEvent[] = items.map((payload) => ({ type: "message.user", eventClass: "message", payload }));
        const stored = inTransaction
          ? await withTenant(fx.tenant.id, (_db, { sql }) => appendEvents(sql, fx.tenant.id, events))
          : await recordEvents(fx.tenant.id, events);
        // A checkpoint due after a committed append is made in the background: wait for it,
        // so each boundary gets its own (one waiting is replaced by a later one).
        await checkpointsSettled();
        for (const event of stored) expect(event.hash).toBe(eventHash(event.prevHash, event));
      }),
      { numRuns: 40 },
    );
    const verification = await verifyChain(fx.tenant.id);
    expect(verification).toMatchObject({ isValid: true });
    expect(Number(verification.headSeq)).toBeGreaterThan(40);
    // Checkpoints signed and linked one to the next, about one per three events.
    expect(verification.checkpointsChecked).toBeGreaterThan(Number(verification.headSeq) / 3 - 20);
  });
});
