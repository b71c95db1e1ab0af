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
  await page.getByRole("button", { name: "Send" }).click();
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
