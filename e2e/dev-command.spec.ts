// The README's first command, `npm run dev`, with no DATABASE_URL: embedded
// PostgreSQL, migrations, demo seed, and a working sign-in.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("npm run dev serves the sign-in page and the seeded acme admin sees acme's members only", async ({ page }) => {
  // Let the dev server compile the routes of this journey before it is timed by the steps.
  for (const path of ["/signin", "/t/acme/members", "/api/auth/csrf"]) await page.request.get(path, { maxRedirects: 0, timeout: 120_000 });
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Agent Fabric" })).toBeVisible();
  await signIn(page, "admin@acme.test");
  const members = page.getByTestId("members-table");
  await expect(members).toContainText("approver@acme.test", { timeout: 60_000 });
  await expect(members).not.toContainText("globex.test");
});
