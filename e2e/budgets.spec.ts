import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin's daily limit of 3 outbound messages: the fourth send in chat is refused naming the budget, and the dashboard shows 3 of 3", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const name = `Messages per day ${randomBytes(3).toString("hex")}`;
  await signIn(page, "admin@globex.test");
  await page.goto("/t/globex/budgets");
  // A budget applies to the whole tenant: one left by an earlier attempt of this test goes first.
  const leftovers = page.getByRole("button", { name: "Delete" });
  while ((await leftovers.count()) > 0) {
    await leftovers.first().click();
    await expect(page.getByText(/moved to the Trash/).first()).toBeVisible();
    await page.reload();
  }
  const form = page.getByRole("form", { name: "New budget" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Counts").selectOption("outbound_messages");
  await form.getByLabel("Limit").fill("3");
  await form.getByLabel("Per").selectOption("day");
  await form.getByRole("button", { name: "Add budget" }).click();
  await expect(page.getByText(`Budget "${name}" applies from now on.`)).toBeVisible();

  await page.goto("/t/globex/chat");
  await page.getByRole("button", { name: "New conversation" }).click();
  const message = page.getByLabel("Message", { exact: true });
  const cards = page.getByTestId("tool-card");
  for (const [index, text] of ["one", "two", "three", "four"].entries()) {
    await message.fill(`send standup ${text} to slack`);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(cards.nth(index)).toContainText("message.send");
  }
  for (const index of [0, 1, 2]) await expect(cards.nth(index)).not.toContainText("denied");
  await expect(cards.nth(3)).toContainText("denied");
  await expect(cards.nth(3).getByTestId("tool-explanation")).toContainText(
    `Budget "${name}" is used up: 3 of 3 outbound messages this day`,
  );

  await page.goto("/t/globex/budgets");
  const budget = page.getByRole("region", { name: `Budget ${name}` });
  await expect(budget.getByTestId("budget-usage")).toHaveText("3 of 3 used");
  await expect(budget.getByRole("alert")).toContainText("Used up");
  await expect(budget.getByTestId("budget-chart")).toContainText("3 of 3");

  // Cleanup, so a tenant-wide budget does not outlive the test.
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText(`Budget "${name}" moved to the Trash; it no longer applies.`)).toBeVisible();
});
