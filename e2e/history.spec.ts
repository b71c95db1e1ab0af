import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * The one history panel: on every page it lists the versions newest first, marks the
 * current one, compares an earlier one with it, and brings an earlier one back as a new
 * version.
 */
async function restoreFirstVersion(page: Page, title: string, versions: number): Promise<void> {
  const history = page.getByRole("region", { name: `Version history of ${title}` });
  await expect(history.getByTestId("version")).toHaveCount(versions);
  await expect(history.getByTestId("version").first()).toContainText("current");
  await history.getByRole("button", { name: `Restore version 1 of ${title}`, exact: true }).click();
  await expect(page.getByText(`Version 1 of "${title}" is back, as a new version.`)).toBeVisible();
  await expect(history.getByTestId("version")).toHaveCount(versions + 1);
  await expect(history.getByTestId("version").first()).toContainText(`v${versions + 1}`);
}

test("history and restore work the same way on the memory, skills and workflows pages", async ({ page }) => {
  test.setTimeout(120_000);
  const unique = `h${randomBytes(4).toString("hex")}`;
  await signIn(page, "admin@globex.test");

  // Memory: two versions of one key (the scripted planner keys a fact by its first three words).
  const key = `${unique}-launch-day`;
  await page.goto("/t/globex/chat");
  await page.getByRole("button", { name: "New conversation" }).click();
  for (const day of ["Friday", "Monday"]) {
    await page.getByLabel("Message", { exact: true }).fill(`remember that ${unique} launch day is ${day}`);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByTestId("tool-card").filter({ hasText: day }).first()).toContainText("memory.set");
  }
  await page.goto("/t/globex/memory");
  const row = page.getByTestId("memory-table").getByRole("row").filter({ hasText: key });
  await expect(row).toContainText("v2");
  await page.getByRole("button", { name: `History of ${key}`, exact: true }).click();
  await restoreFirstVersion(page, key, 2);
  await expect(row).toContainText("v3");
  await expect(row).toContainText("Friday");

  // Skills: create, save a second version, bring the first back.
  const skill = `${unique}-skill`;
  await page.goto("/t/globex/skills");
  await page.getByRole("button", { name: "New skill" }).click();
  await page.getByLabel("Name").fill(skill);
  await page.getByLabel("Instructions (markdown)").fill("First instructions.");
  await page.getByRole("button", { name: "Create skill" }).click();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Instructions (markdown)").fill("Second instructions.");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByText("version 2", { exact: false }).first()).toBeVisible();
  // What changed from the first version to the second, line by line.
  await page.getByRole("button", { name: `Compare version 1 of ${skill} with version 2`, exact: true }).click();
  const changes = page.getByRole("region", { name: `Changes to ${skill} from version 1 to version 2` });
  await expect(changes.locator('[data-change="removed"]')).toContainText("First instructions.");
  await expect(changes.locator('[data-change="added"]')).toContainText("Second instructions.");
  await restoreFirstVersion(page, skill, 2);
  await expect(page.getByText(/version 3 · by/)).toBeVisible();

  // Workflows: the same.
  const workflow = `${unique}-flow`;
  await page.goto("/t/globex/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Name").fill(workflow);
  await page.getByLabel("Description").fill("First description");
  await page.getByRole("button", { name: "Create workflow" }).click();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Description").fill("Second description");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByText(/Second description · \d+ steps · version 2/)).toBeVisible();
  await restoreFirstVersion(page, workflow, 2);
  await expect(page.getByText(/First description · \d+ steps · version 3/)).toBeVisible();
});

test("the approval workflow's history: every save is a version an admin can compare and restore", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, "admin@globex.test");
  await page.goto("/t/globex/approvals");
  await page.getByRole("tab", { name: "Workflow" }).click();
  const editor = page.getByLabel("Workflow (JSON)");
  // Two saves: as it is, then with the tier renamed (routing stays what it was for other tests).
  const original = await editor.inputValue();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const first = page.getByText(/Approval workflow saved as version \d+\./);
  await expect(first).toBeVisible();
  const before = Number((await first.textContent())?.match(/version (\d+)/)?.[1]);
  const version = before + 1;
  await editor.fill(original.replace(/"name": "([^"]*)"/, '"name": "$1 (renamed)"'));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText(`Approval workflow saved as version ${version}.`)).toBeVisible();
  const history = page.getByRole("region", { name: "Version history of Approval workflow" });
  await expect(history.getByTestId("version").first()).toContainText(`v${version}`);
  await expect(history.getByTestId("version").first()).toContainText("current");

  await history
    .getByRole("button", { name: `Compare version ${version - 1} of Approval workflow with version ${version}`, exact: true })
    .click();
  const changes = page.getByRole("region", { name: `Changes to Approval workflow from version ${version - 1} to version ${version}` });
  await expect(changes.locator('[data-change="added"]')).toContainText("(renamed)");

  await history.getByRole("button", { name: `Restore version ${version - 1} of Approval workflow`, exact: true }).click();
  await expect(page.getByText(`Version ${version - 1} of "Approval workflow" is back, as a new version.`)).toBeVisible();
  await expect(history.getByTestId("version").first()).toContainText(`v${version + 1}`);
  await expect(editor).not.toHaveValue(/\(renamed\)/);
});
