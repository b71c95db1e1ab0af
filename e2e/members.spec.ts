import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin invites a new person, who accepts and joins with the invited role", async ({ page, browser }) => {
  const email = `newcomer-${Date.now()}@acme.test`;
  await signIn(page, "admin@acme.test");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption("approver");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = await page.getByLabel("Invitation link").inputValue();
  expect(link).toContain("/invite/");
  await expect(page.getByText(`${email} as approver`)).toBeVisible();

  // The newcomer, in a browser of their own.
  const newcomer = await browser.newContext();
  const invitee = await newcomer.newPage();
  await invitee.goto(link);
  await expect(invitee.getByText("as approver")).toBeVisible();
  await invitee.getByLabel("Your name").fill("Nia Newcomer");
  await invitee.getByLabel(/Choose a password/).fill("a long enough password");
  await invitee.getByRole("button", { name: "Accept invitation" }).click();
  await expect(invitee).toHaveURL(/\/t\/acme\/members$/);
  await expect(invitee.getByTestId("members-table")).toContainText(email);
  await newcomer.close();

  // The admin sees the new member, changes the role, and the audit log records it all.
  await page.reload();
  await page.getByLabel(`Role of ${email}`).selectOption("member");
  await expect(page.getByText("Role updated.")).toBeVisible();
  await page.getByRole("link", { name: "Settings" }).click();
  const audit = page.getByTestId("audit-table");
  await expect(audit).toContainText("invitation.accepted");
  await expect(audit).toContainText("member.role_changed");
});

test("a member sees the member list but cannot manage it", async ({ page }) => {
  await signIn(page, "member@acme.test");
  await expect(page.getByTestId("members-table")).toContainText("admin@acme.test");
  await expect(page.getByRole("button", { name: "Invite" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Remove" })).toHaveCount(0);
});

test("an operator creates a tenant; its first owner, an existing user, gets an invitation link", async ({ page }) => {
  const slug = `e2e-${Date.now()}`;
  await signIn(page, "operator@agent-fabric.test");
  await expect(page).toHaveURL(/\/operator$/);
  await page.getByLabel("Name").fill("E2E Industries");
  await page.getByLabel("Slug").fill(slug);
  await page.getByLabel("Owner email").fill("owner@globex.test");
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByTestId("tenants-table")).toContainText(slug);
  await expect(page.getByText("Send this invitation link to the owner")).toBeVisible();
});
