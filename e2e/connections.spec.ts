import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin connects a webhook, sees only the last four characters of its secret, checks it and removes it", async ({ page }) => {
  const stamp = Date.now().toString(36);
  const secret = `whsec-e2e-${stamp}-planted-Zq7K`;
  const label = `e2e hook ${stamp}`;
  await signIn(page, "admin@acme.test");
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Connections" }).click();
  await expect(page.getByRole("heading", { name: "Connected services" })).toBeVisible();

  await page.getByRole("button", { name: "Add connection" }).click();
  const form = page.getByRole("form", { name: "Add a connection" });
  await form.getByLabel("Service").selectOption("webhook");
  await form.getByLabel("Name", { exact: true }).fill(label);
  await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.test/agent-fabric");
  const secretInput = form.getByLabel("Signing secret", { exact: true });
  await expect(secretInput).toHaveAttribute("type", "password");
  await secretInput.fill(secret);
  await form.getByRole("button", { name: "Connect" }).click();

  const item = page.getByRole("listitem", { name: `Webhook: ${label}` });
  await expect(item).toBeVisible();
  await expect(item.getByTestId("credential-last4")).toContainText("•••• Zq7K");
  await expect(item).toContainText("https://hooks.example.test/agent-fabric");
  await expect(form).toHaveCount(0);
  // The secret is nowhere on the page: not in the text, not in an input's value.
  expect(await page.content()).not.toContain(secret);
  expect(await page.locator("input").evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))).not.toContain(
    secret,
  );

  // The rotate form asks for the secret again and never shows the stored one.
  await item.getByRole("button", { name: "Rotate" }).click();
  const rotate = page.getByRole("form", { name: `Rotate "${label}"` });
  await expect(rotate.getByLabel("Signing secret", { exact: true })).toHaveValue("");
  await expect(rotate.getByLabel("URL", { exact: true })).toHaveValue("https://hooks.example.test/agent-fabric");
  await rotate.getByRole("button", { name: "Cancel" }).click();

  // Offline the endpoint cannot be reached: whatever the result, a clear message shows.
  await item.getByRole("button", { name: "Check connection" }).click();
  const result = item.getByTestId("check-result").or(item.getByRole("alert"));
  await expect(result).toBeVisible();
  await expect(result).toContainText(/(Connected|Check failed|could not run).{10,}/s);
  expect(await page.content()).not.toContain(secret);

  await item.getByRole("button", { name: "Remove" }).click();
  await page
    .getByRole("alertdialog", { name: `Remove ${label}` })
    .getByRole("button", { name: "Remove for good" })
    .click();
  await expect(page.getByRole("listitem", { name: `Webhook: ${label}` })).toHaveCount(0);
});

test("a member sees the Outbox clearly labelled as a sandbox", async ({ page }) => {
  await signIn(page, "member@acme.test");
  await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Outbox" }).click();
  await expect(page.getByRole("heading", { name: "Outbox" })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("Sandbox: not sent to the real service.");
  // Either deliveries or the empty state, not an error.
  await expect(page.getByTestId("outbox-table").or(page.getByText("Nothing in the outbox"))).toBeVisible();
});
