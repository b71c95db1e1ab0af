// Platform email (password resets): the operator's SMTP server from the
// environment, sent through the same connector as tenants' email (mandatory
// TLS, checked destination). Without MAIL_SMTP_HOST nothing is sent and the
// operator sees a warning; the link itself is never logged.
import { sendEmail, type TEmail } from "@/server/connectors/email";
import { logger } from "@/server/logger";
import { runtimeSetting } from "@/server/runtime-settings";

const TIMEOUT_MS = 15_000;

export function isPlatformMailConfigured(): boolean {
  return Boolean(runtimeSetting("MAIL_SMTP_HOST") && runtimeSetting("MAIL_FROM"));
}

export async function sendPlatformEmail(email: TEmail): Promise<void> {
  if (!isPlatformMailConfigured()) {
    logger.warn({ event: "platform_mail_unconfigured" }, "no MAIL_SMTP_HOST/MAIL_FROM: platform email not sent");
    return;
  }
  const credential = {
    id: "platform",
    label: "platform mail (MAIL_SMTP_*)",
    config: {
      host: runtimeSetting("MAIL_SMTP_HOST") ?? "",
      port: runtimeSetting("MAIL_SMTP_PORT") ?? "587",
      username: runtimeSetting("MAIL_SMTP_USERNAME") ?? "",
      from: runtimeSetting("MAIL_FROM") ?? "",
    },
    secrets: { password: runtimeSetting("MAIL_SMTP_PASSWORD") ?? "" },
  };
  await sendEmail(credential, email, AbortSignal.timeout(TIMEOUT_MS), TIMEOUT_MS);
}
