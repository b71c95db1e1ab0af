import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an operator sees a tenant's held transfer in the approval queues, without its counterparty; the member then withdraws it", async ({
  browser,
}) => {
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1_000)}`;
  const member = await (await browser.newContext()).newPage();
  await signIn(member, "member@acme.test");
  await member.goto("/t/acme/chat");
  await member.getByRole("button", { name: "New conversation" }).click();
  await member.getByLabel("Message", { exact: true }).fill(`transfer 3,210 EUR to Queue Check ${tag}`);
  await member.getByRole("button", { name: "Send", exact: true }).click();
  await expect(member.getByTestId("tool-card").first()).toContainText("waiting for approval", { timeout: 30_000 });

  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, "operator@agent-fabric.test");
  await operator.goto("/operator");
  await operator.getByLabel("Tenant", { exact: true }).selectOption("acme");
  const queue = operator.getByTestId("approval-queues");
  await expect(queue.getByRole("row").filter({ hasText: "payments.transfer" }).first()).toContainText("pending");
  await expect(operator.getByTestId("queue-totals")).toContainText("waiting");
  // The queue's shape only: what the call is about stays with acme's approvers.
  await expect(operator.locator("main")).not.toContainText(tag);

  // A tenant with nothing waiting says so.
  await operator.getByLabel("Tenant", { exact: true }).selectOption("globex");
  await expect(operator.getByText("Nothing waits for approval in this tenant.")).toBeVisible();

  // The member takes the request back: the turn ends, the call never runs.
  member.once("dialog", (dialog) => void dialog.accept());
  await member.getByRole("button", { name: "Withdraw request" }).click();
  await expect(member.getByTestId("agent-reply").last()).toContainText("payments.transfer was withdrawn: withdrawn by the requester");
  await expect(member.getByRole("button", { name: "Withdraw request" })).toHaveCount(0);

  await member.context().close();
  await operator.context().close();
});
