import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("the acme admin sees acme's members and nothing of globex", async ({ page }) => {
  await signIn(page, "admin@acme.test");
  await expect(page).toHaveURL(/\/t\/acme\/members$/);
  const members = page.getByTestId("members-table");
  await expect(members).toContainText("owner@acme.test");
  await expect(members).toContainText("member@acme.test");
  await expect(members).not.toContainText("globex.test");
  await expect(page.getByTestId("deployment-mode")).toHaveText("saas");

  // The tenant switcher offers only the user's own tenants.
  await expect(page.getByLabel("Tenant").locator("option")).toHaveText(["Acme Corp"]);

  // Another tenant's pages answer 404, as if the tenant did not exist.
  const response = await page.goto("/t/globex/members");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("admin@acme.test");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("signing out ends access to tenant pages", async ({ page }) => {
  await signIn(page, "member@globex.test");
  await expect(page).toHaveURL(/\/t\/globex\/members$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/t/globex/members");
  await expect(page).toHaveURL(/\/signin\?next=/);
});

test("the areas to come are in the navigation and say so plainly", async ({ page }) => {
  await signIn(page, "approver@acme.test");
  for (const area of ["Chat", "Approvals", "Policy packs", "Rollouts", "Budgets", "Runs", "Settings"]) {
    await expect(page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: area })).toBeVisible();
  }
  await page.getByRole("link", { name: "Rollouts" }).click();
  await expect(page.getByText("Rollouts is not available in this version yet.")).toBeVisible();
});
