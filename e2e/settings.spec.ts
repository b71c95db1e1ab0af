import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin turns a tool off for the tenant, and the agent's call is refused with that reason", async ({ page }) => {
  await signIn(page, "admin@acme.test");
  await page.goto("/t/acme/settings");
  // The model card says which planner runs the agent; offline, the scripted one.
  await expect(page.getByRole("form", { name: "Model settings" })).toBeVisible();
  await expect(page.getByLabel("Provider")).toHaveValue("scripted");

  const toggle = page.getByLabel("memory.search enabled");
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await expect(toggle).not.toBeChecked();
  try {
    await page.goto("/t/acme/chat");
    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByLabel("Message", { exact: true }).fill("what do you remember?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const card = page.getByTestId("tool-card").first();
    await expect(card).toContainText("memory.search");
    await expect(card).toContainText("denied");
    await expect(card.getByTestId("tool-explanation")).toContainText("memory.search is turned off for this tenant");
  } finally {
    // Leave the shared demo tenant as it was.
    await page.goto("/t/acme/settings");
    await page.getByLabel("memory.search enabled").check();
    await expect(page.getByLabel("memory.search enabled")).toBeChecked();
  }
});
