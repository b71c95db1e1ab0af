import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// The chat polls every 3 s while a turn waits for approval: the member sees the approver's
// decision within a few polls, without a reload.
const LIVE = { timeout: 30_000 };

async function openAs(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** The member's turn for one message, once its tool card is on screen. */
async function ask(page: Page, message: string): Promise<Locator> {
  await page.getByLabel("Message", { exact: true }).fill(message);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const turn = page
    .getByRole("list", { name: "Messages" })
    .getByRole("listitem")
    .filter({ hasText: message })
    .filter({ has: page.getByTestId("tool-card") });
  await expect(turn.getByTestId("tool-card").first()).toBeVisible(LIVE);
  return turn;
}

test("the chat tells the truth: recall shows the value, held transfers end live (Outbox, denied with the reason), runs show outcomes, money reads as money", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // Unique per run: other specs share acme's inbox and memory.
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1_000)}`;
  const member = await openAs(browser, "member@acme.test");
  await member.goto("/t/acme/chat");
  await member.getByRole("button", { name: "New conversation" }).click();
  await expect(member.getByTestId("planner-label")).toContainText("scripted demo planner");

  // 1. A recall shows what was remembered, in the card and in the reply.
  await ask(member, `remember that the launch code is ${tag}`);
  const recall = await ask(member, `what do you remember about ${tag}?`);
  await expect(recall.getByTestId("tool-result")).toContainText(`the launch code is ${tag}`);
  await expect(recall.getByTestId("agent-reply")).toContainText(`I remember: the launch code is ${tag}`, LIVE);

  // 2. A held transfer: its amount reads as money, in the chat and for the approver.
  const approvedTo = `Northwind ${tag}`;
  const approvedTurn = await ask(member, `transfer 5,000 USD to ${approvedTo}`);
  const approvedCard = approvedTurn.getByTestId("tool-card");
  await expect(approvedCard.getByTestId("tool-status")).toHaveText("waiting for approval");
  await expect(approvedCard.getByTestId("tool-args")).toContainText("5,000.00 USD");
  await expect(approvedCard.getByTestId("tool-args")).not.toContainText("500000");
  await expect(approvedCard.getByTestId("money")).toHaveAttribute("title", "500000 in minor units of USD");

  const approver = await openAs(browser, "approver@acme.test");
  await approver.goto("/t/acme/approvals");
  const approvedRow = approver.getByTestId("approval-row").filter({ hasText: approvedTo });
  await expect(approvedRow).toContainText("5,000.00 USD", LIVE);
  await approvedRow.getByRole("button", { name: /^Open payments\.transfer/ }).click();
  const detail = approver.getByTestId("approval-detail");
  await expect(detail.getByLabel("Arguments")).toContainText("5,000.00 USD");
  await expect(detail.getByLabel("Arguments")).not.toContainText("500000");
  await detail.getByLabel(/^Comment/).fill(`PO ${tag}`);
  await detail.getByRole("button", { name: "Approve" }).click();
  await expect(approvedRow).toHaveCount(0, LIVE);

  // The member's card reaches its final state without a reload: approved, by whom, and in the Outbox, not sent.
  await expect(approvedCard.getByTestId("tool-status")).toHaveText("approved · in Outbox", LIVE);
  await expect(approvedCard.getByTestId("approval-decision")).toHaveText(`Approved by approver@acme.test: PO ${tag}`);
  await expect(approvedCard.getByTestId("outbox-notice")).toContainText("Delivered to the sandbox Outbox, not sent");
  await expect(approvedTurn.getByTestId("agent-reply")).toContainText(
    "payments.transfer of 5,000.00 USD was approved and delivered to the sandbox Outbox, not sent",
  );
  await expect(approvedTurn.getByTestId("agent-reply")).not.toContainText("done");
  await expect(approvedTurn.getByTestId("tool-card")).toHaveCount(1);

  // 3. A denied one shows the reason and who gave it.
  const deniedTo = `Shady Ltd ${tag}`;
  const deniedTurn = await ask(member, `transfer 2,500 EUR to ${deniedTo}`);
  const deniedRow = approver.getByTestId("approval-row").filter({ hasText: deniedTo });
  await expect(deniedRow).toBeVisible(LIVE);
  await deniedRow.getByRole("button", { name: /^Open payments\.transfer/ }).click();
  await detail.getByLabel(/^Comment/).fill("not a known supplier");
  await detail.getByRole("button", { name: "Deny" }).click();
  await expect(deniedRow).toHaveCount(0, LIVE);
  const deniedCard = deniedTurn.getByTestId("tool-card");
  await expect(deniedCard.getByTestId("tool-status")).toHaveText("denied", LIVE);
  await expect(deniedCard.getByTestId("approval-decision")).toHaveText("Denied by approver@acme.test: not a known supplier");

  // The approver's history says where the approved one went.
  await approver.getByRole("tab", { name: "History" }).click();
  await approver.getByLabel("Search decided requests").fill(tag);
  await approver.getByRole("button", { name: "Search", exact: true }).click();
  const history = approver.getByTestId("approval-history");
  await expect(history.getByRole("row").filter({ hasText: approvedTo })).toContainText("delivered to the sandbox Outbox, not sent", LIVE);
  await expect(history.getByRole("row").filter({ hasText: approvedTo })).toContainText("5,000.00 USD");

  // 4. The run list shows each outcome, not "completed" for all.
  await member.goto("/t/acme/runs");
  const runs = member.getByTestId("runs-table");
  const outcomeOf = (title: string) => runs.getByRole("row").filter({ hasText: title }).getByTestId("run-outcome");
  await expect(outcomeOf(`what do you remember about ${tag}?`)).toHaveText("done");
  await expect(outcomeOf(`transfer 5,000 USD to ${approvedTo}`)).toHaveText("approved · in Outbox");
  await expect(outcomeOf(`transfer 2,500 EUR to ${deniedTo}`)).toHaveText("denied");

  await approver.context().close();
  await member.context().close();
});
