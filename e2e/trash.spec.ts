import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a deleted memory entry waits in the Trash with who and when, and Restore brings it back as it was", async ({ page }) => {
  // A key of its own, so parallel tests never meet it: the scripted planner keys "the trash test is on X" as trash-test-X.
  const unique = `t${randomBytes(4).toString("hex")}`;
  const key = `trash-test-${unique}`;
  const fact = `the trash test is on ${unique}`;

  await signIn(page, "member@globex.test");
  await page.goto("/t/globex/chat");
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByLabel("Message", { exact: true }).fill(`remember that ${fact}`);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const card = page.getByTestId("tool-card").first();
  await expect(card).toContainText("memory.set");
  await expect(card).toContainText("allowed");

  // The demo tenants hold the agent's memory.delete for approval; a person deletes it from the Memory page instead.
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Memory" }).click();
  const memoryRow = page.getByTestId("memory-table").getByRole("row").filter({ hasText: key });
  await expect(memoryRow).toContainText(fact);
  await page.getByRole("button", { name: `Delete ${key}`, exact: true }).click();
  await expect(page.getByRole("button", { name: `Delete ${key}`, exact: true })).toHaveCount(0);

  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Trash" }).click();
  await expect(page.getByRole("heading", { name: "Trash", level: 1 })).toBeVisible();
  const trashRow = page.getByTestId("trash-table").getByRole("row").filter({ hasText: key });
  await expect(trashRow).toContainText("Memory entry");
  await expect(trashRow).toContainText("member@globex.test");
  await expect(trashRow).toContainText("v2");
  // Emptying the Trash is an admin's: a member does not see it.
  await expect(page.getByRole("form", { name: "Empty the Trash" })).toHaveCount(0);

  // Its history: set, then delete.
  await page.getByRole("button", { name: `History of ${key}`, exact: true }).click();
  const history = page.getByRole("region", { name: `Version history of ${key}` });
  await expect(history.getByTestId("version")).toHaveCount(2);
  await expect(history.getByTestId("version").first()).toContainText("deleted");
  await expect(history.getByTestId("version").last()).toContainText(fact);

  await page.getByRole("button", { name: `Restore ${key}`, exact: true }).click();
  await expect(page.getByText(`Restored "${key}".`)).toBeVisible();
  await expect(page.getByRole("button", { name: `Restore ${key}`, exact: true })).toHaveCount(0);

  // Back where it was, with the same value, as a new version.
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Memory" }).click();
  const restored = page.getByTestId("memory-table").getByRole("row").filter({ hasText: key });
  await expect(restored).toContainText(fact);
  await expect(restored).toContainText("v3");
});

test("an admin empties the Trash after typing the words, and what was in it is gone for good", async ({ page }) => {
  const unique = `t${randomBytes(4).toString("hex")}`;
  const key = `trash-test-${unique}`;

  await signIn(page, "admin@acme.test");
  await page.goto("/t/acme/chat");
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByLabel("Message", { exact: true }).fill(`remember that the trash test is on ${unique}`);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByTestId("tool-card").first()).toContainText("memory.set");

  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Memory" }).click();
  await page.getByRole("button", { name: `Delete ${key}`, exact: true }).click();
  await expect(page.getByRole("button", { name: `Delete ${key}`, exact: true })).toHaveCount(0);

  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Trash" }).click();
  await expect(page.getByTestId("trash-table").getByRole("row").filter({ hasText: key })).toBeVisible();
  const form = page.getByRole("form", { name: "Empty the Trash" });
  const empty = form.getByRole("button", { name: "Empty the Trash" });
  // Nothing happens until the words are typed.
  await expect(empty).toBeDisabled();
  await form.getByLabel(/to confirm/).fill("empty the trash");
  await empty.click();
  await expect(page.getByText(/Removed \d+ deleted items? for good\./)).toBeVisible();
  await expect(page.getByTestId("trash-table").getByRole("row").filter({ hasText: key })).toHaveCount(0);

  // Gone for good: not on the Memory page either.
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Memory" }).click();
  await expect(page.getByRole("heading", { name: "Memory", level: 1 })).toBeVisible();
  await expect(page.getByTestId("memory-table").getByRole("row").filter({ hasText: key })).toHaveCount(0);
});
