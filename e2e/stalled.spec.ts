import { expect, test } from "@playwright/test";
import pg from "pg";
import { signIn } from "./helpers";

/** As a crash leaves a call: approved and claimed ten minutes ago, never finished (app role, acme's own transaction). */
async function stallRequest(counterparty: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    const tenant = await client.query<{ id: string }>("SELECT id FROM tenants WHERE slug = 'acme'");
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.rows[0]?.id]);
    const updated = await client.query(
      `UPDATE approval_requests SET status = 'approved', comment = 'ok',
         decided_at = now() - interval '10 minutes', executed_at = now() - interval '10 minutes'
       WHERE counterparty = $1 AND status = 'pending'`,
      [counterparty],
    );
    if (updated.rowCount !== 1) throw new Error(`expected one held request to ${counterparty}, found ${updated.rowCount}`);
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

test("an admin closes a call that never reported back, and the member's turn ends with the admin's note", async ({ browser }) => {
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1_000)}`;
  const counterparty = `Stalled Supplies ${tag}`;
  const member = await (await browser.newContext()).newPage();
  await signIn(member, "member@acme.test");
  await member.goto("/t/acme/chat");
  await member.getByRole("button", { name: "New conversation" }).click();
  await member.getByLabel("Message", { exact: true }).fill(`transfer 4,321 EUR to ${counterparty}`);
  await member.getByRole("button", { name: "Send", exact: true }).click();
  await expect(member.getByTestId("tool-card").first()).toContainText("waiting for approval", { timeout: 30_000 });
  await stallRequest(counterparty);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@acme.test");
  await admin.goto("/t/acme/approvals");
  const stalled = admin.getByTestId("stalled-requests").getByRole("listitem").filter({ hasText: "payments.transfer" }).first();
  await expect(stalled).toContainText("the call started and never reported back");
  await stalled.getByLabel("What you found").fill(`no transfer at the bank ${tag}`);
  await stalled.getByRole("button", { name: "It did not run" }).click();
  await expect(admin.getByText("payments.transfer is closed; its run has ended with your note.")).toBeVisible();

  // The member's turn is over, with the admin's note (the chat polls while a turn waits).
  await expect(member.getByTestId("agent-reply").last()).toContainText(
    `payments.transfer did not run (checked by an admin): no transfer at the bank ${tag}`,
    { timeout: 30_000 },
  );
  await member.context().close();
  await admin.context().close();
});
