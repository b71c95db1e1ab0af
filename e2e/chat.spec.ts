import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("in saas, the gate denies a shell, executes memory.set and holds a memory wipe", async ({ page }) => {
  await signIn(page, "member@acme.test");
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Chat" }).click();
  await page.getByRole("button", { name: "New conversation" }).click();
  await expect(page.getByTestId("planner-label")).toContainText("scripted demo planner");
  const message = page.getByLabel("Message", { exact: true });
  const cards = page.getByTestId("tool-card");

  await message.fill("run rm -rf /");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(cards.nth(0)).toContainText("shell.exec");
  await expect(cards.nth(0)).toContainText("denied");
  await expect(cards.nth(0).getByTestId("tool-explanation")).toContainText("Shell, file system and process tools do not exist in saas");

  await message.fill("remember that the launch is on Friday");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(cards.nth(1)).toContainText("memory.set");
  await expect(cards.nth(1)).toContainText("allowed");

  await message.fill("delete everything you remember");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(cards.nth(2)).toContainText("memory.delete");
  await expect(cards.nth(2)).toContainText("waiting for approval");
  await expect(cards.nth(2).getByTestId("tool-explanation")).toContainText("hold-memory-delete");

  // The trace of the held call is one click away.
  await cards.nth(2).getByRole("link", { name: "View trace →" }).click();
  await expect(page.getByText("waiting for approval").first()).toBeVisible();
});
