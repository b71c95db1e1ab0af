import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { verifyExport } from "../server/events/export-verify";
import { signIn } from "./helpers";

test("open the seeded run, step through its timeline, and see the log verified", async ({ page }) => {
  await signIn(page, "approver@acme.test");
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Runs" }).click();
  await expect(page.getByTestId("verification-badge")).toContainText("Event log verified");
  await page.getByRole("link", { name: "Pay invoice INV-1042" }).click();

  await expect(page.getByText("Step 1 of 10: Run")).toBeVisible();
  await page.getByRole("button", { name: "Next →" }).click();
  await expect(page.getByText("Step 2 of 10: Message")).toBeVisible();
  await expect(page.getByTestId("step-payload")).toContainText("Pay invoice INV-1042");
  // Keyboard stepping.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByText("Step 4 of 10: Policy decision")).toBeVisible();
  await expect(page.getByTestId("step-payload")).toContainText("require_approval");
  await expect(page.getByTestId("step-payload")).toContainText("treasury/large-transfer");
  // Jump straight to a step from the timeline.
  await page
    .getByRole("list", { name: "Timeline" })
    .getByRole("button", { name: /Tool result/ })
    .click();
  await expect(page.getByTestId("step-payload")).toContainText("demo-tr-0001");
  await expect(page.getByTestId("verification-badge")).toContainText("Event log verified");
});

test("filters narrow the run list, with an empty state when nothing matches", async ({ page }) => {
  await signIn(page, "member@globex.test");
  await page.goto("/t/globex/runs");
  await expect(page.getByTestId("runs-table")).toContainText("Pay invoice INV-1042");
  await page.getByLabel("Tool").fill("shell.exec");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No runs match.")).toBeVisible();
});

test("an admin exports the event log with progress, and the file verifies offline", async ({ page }) => {
  await signIn(page, "admin@acme.test");
  await page.goto("/t/acme/settings");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export", exact: true }).click();
  const file = await download;
  await expect(page.getByTestId("export-progress")).toContainText("Export complete");
  const path = await file.path();
  const text = readFileSync(path, "utf8");
  expect(verifyExport(text)).toMatchObject({ isValid: true, tenantSlug: "acme" });
  expect(verifyExport(text.replace("Northwind", "Northwynd")).isValid).toBe(false);
});

test("another tenant's export, runs and verification are not there for you", async ({ page }) => {
  await signIn(page, "admin@acme.test");
  const exportResponse = await page.request.get("/api/v1/tenants/globex/events/export");
  expect(exportResponse.status()).toBe(404);
  expect(await exportResponse.text()).not.toContain('"kind":"event"');
  const runs = await page.goto("/t/globex/runs");
  expect(runs?.status()).toBe(404);
  // A member of acme who is not an admin cannot export acme either.
  await page.context().clearCookies();
  await signIn(page, "member@acme.test");
  expect((await page.request.get("/api/v1/tenants/acme/events/export")).status()).toBe(403);
});
