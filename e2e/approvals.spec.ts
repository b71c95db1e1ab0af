import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// The chat polls every 3 s while a turn waits for approval, the inbox every 3 s:
// each side sees the other's step within a few polls.
const LIVE = { timeout: 30_000 };

async function openAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

/** The member's turn for one message, once its run (with a tool card) is on screen. */
function turnOf(page: Page, message: string): Locator {
  return page
    .getByRole("list", { name: "Messages" })
    .getByRole("listitem")
    .filter({ hasText: message })
    .filter({ has: page.getByTestId("tool-card") });
}

async function ask(page: Page, message: string): Promise<Locator> {
  await page.getByLabel("Message", { exact: true }).fill(message);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const turn = turnOf(page, message);
  await expect(turn.getByTestId("tool-card").first()).toContainText("payments.transfer", LIVE);
  await expect(turn.getByTestId("tool-card").first()).toContainText("waiting for approval");
  return turn;
}

test("a held transfer reaches the approver's open inbox live; one is approved and runs, one is denied with a reason the member sees", async ({
  browser,
}) => {
  test.setTimeout(150_000);
  // Unique per run: other specs share acme's inbox, and a failed earlier run may have left requests behind.
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1_000)}`;
  const approvedTo = `Northwind Traders ${tag}`;
  const deniedTo = `Shady Ltd ${tag}`;
  const approvedAmount = 5_000 + Math.floor(Math.random() * 900) + 1;
  const deniedAmount = 2_000 + Math.floor(Math.random() * 900) + 1;
  const approvedMessage = `transfer ${approvedAmount.toLocaleString("en-US")} EUR to ${approvedTo}`;
  const deniedMessage = `transfer ${deniedAmount.toLocaleString("en-US")} EUR to ${deniedTo}`;

  // The approver has the inbox open before anything is asked.
  const approver = await openAs(browser, "approver@acme.test");
  await approver.goto("/t/acme/approvals");
  await expect(approver.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
  await expect(approver.getByTestId("keyboard-hint")).toContainText("j/k");
  // Survives only as long as the page is not reloaded.
  await approver.evaluate(() => {
    (window as unknown as { inboxMarker?: string }).inboxMarker = "still here";
  });

  const member = await openAs(browser, "member@acme.test");
  await member.goto("/t/acme/chat");
  await member.getByRole("button", { name: "New conversation" }).click();
  await expect(member.getByTestId("planner-label")).toContainText("scripted demo planner");
  const approvedTurn = await ask(member, approvedMessage);

  // It appears in the approver's inbox without a reload, amount and counterparty readable.
  const approvedRow = approver.getByTestId("approval-row").filter({ hasText: approvedTo });
  await expect(approvedRow).toBeVisible(LIVE);
  await expect(approvedRow).toContainText(`${approvedAmount.toLocaleString("en-US")}.00 EUR`);
  await expect(approvedRow).toContainText("tier 1 of");
  await expect(approvedRow).toContainText("member@acme.test");
  await expect(approvedRow.getByTestId("time-left")).toContainText("left");
  expect(await approver.evaluate(() => (window as unknown as { inboxMarker?: string }).inboxMarker)).toBe("still here");
  await expect(approver.getByTestId("approvals-count")).toBeVisible(LIVE);

  await approvedRow.getByRole("button", { name: /^Open payments\.transfer/ }).click();
  const detail = approver.getByTestId("approval-detail");
  await expect(detail.getByTestId("approval-highlights")).toContainText(approvedTo);
  await expect(detail.getByTestId("approval-highlights")).toContainText(`${approvedAmount.toLocaleString("en-US")}.00 EUR`);
  await expect(detail.getByTestId("approval-explanation")).toContainText("need approval");
  await expect(detail.getByRole("list", { name: "Recent trace" })).toContainText("policy.decision");
  await expect(detail.getByRole("link", { name: "Open the run →" })).toHaveAttribute("href", /\/t\/acme\/runs\/[0-9a-f-]{36}$/);
  await detail.getByLabel(/^Comment/).fill(`Matches the PO ${tag}`);
  await detail.getByRole("button", { name: "Approve" }).click();
  await expect(approvedRow).toHaveCount(0, LIVE);

  // The member's held turn gets its result: the approved call went to the sandbox Outbox (no
  // payments credentials in the demo), and says so rather than "done".
  await expect(approvedTurn.getByTestId("agent-reply")).toContainText("was approved and delivered to the sandbox Outbox, not sent", LIVE);
  await expect(approvedTurn.getByTestId("tool-status")).toHaveText("approved · in Outbox");

  // A second transfer, denied from the keyboard with a reason.
  const deniedTurn = await ask(member, deniedMessage);
  const deniedRow = approver.getByTestId("approval-row").filter({ hasText: deniedTo });
  await expect(deniedRow).toBeVisible(LIVE);
  await deniedRow.getByRole("button", { name: /^Open payments\.transfer/ }).click();
  await expect(detail.getByTestId("approval-highlights")).toContainText(deniedTo);
  const comment = detail.getByLabel(/^Comment/);
  // Typed key by key: its "a" and "k" are text in the comment box, not shortcuts.
  await comment.pressSequentially("not a known supplier");
  await expect(comment).toHaveValue("not a known supplier");
  await expect(deniedRow).toBeVisible();
  await expect(deniedRow).toHaveAttribute("aria-current", "true");
  await comment.press("Escape");
  await approver.keyboard.press("d");
  await expect(deniedRow).toHaveCount(0, LIVE);

  await expect(deniedTurn.getByTestId("agent-reply")).toContainText("refused: not a known supplier", LIVE);
  await expect(deniedTurn.getByTestId("tool-status")).toHaveText("denied");

  // Both are in the approver's searchable history.
  await approver.getByRole("tab", { name: "History" }).click();
  await approver.getByLabel("Search decided requests").fill(tag);
  await approver.getByRole("button", { name: "Search", exact: true }).click();
  const history = approver.getByTestId("approval-history");
  await expect(history.getByRole("row").filter({ hasText: approvedTo })).toContainText("approved", LIVE);
  await expect(history.getByRole("row").filter({ hasText: approvedTo })).toContainText(`Matches the PO ${tag}`);
  await expect(history.getByRole("row").filter({ hasText: deniedTo })).toContainText("denied");
  await expect(history.getByRole("row").filter({ hasText: deniedTo })).toContainText("not a known supplier");

  await approver.context().close();
  await member.context().close();
});

test("an approver of another tenant gets no inbox of this one", async ({ page }) => {
  await signIn(page, "approver@globex.test");
  // Another tenant's approvals answer 404, as if the tenant did not exist.
  const response = await page.goto("/t/acme/approvals");
  expect(response?.status()).toBe(404);
  // And acme's held calls are not in their own tenant's inbox either (the API test checks ids; here, the page).
  await page.goto("/t/globex/approvals");
  // Nothing of globex's own waits; acme's pending calls (chat.spec leaves one) must not appear.
  await expect(page.getByText("Nothing waits for you")).toBeVisible(LIVE);
  await expect(page.getByText("payments.transfer")).toHaveCount(0);
  await expect(page.getByText("memory.delete")).toHaveCount(0);
});
