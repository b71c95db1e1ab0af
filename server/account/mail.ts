// Platform email (password resets): the operator's SMTP server from the
// environment, sent through the same connector as tenants' email (mandatory
// TLS, checked destination). Without MAIL_SMTP_HOST nothing is sent and the
// operator sees a warning; the link itself is never logged.
import { sendEmail, type TEmail } from "@/server/connectors/email";
import { logger } from "@/server/logger";

const TIMEOUT_MS = 15_000;

export function isPlatformMailConfigured(): boolean {
  return Boolean(process.env.MAIL_SMTP_HOST && process.env.MAIL_FROM);
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
      host: process.env.MAIL_SMTP_HOST ?? "",
      port: process.env.MAIL_SMTP_PORT ?? "587",
      username: process.env.MAIL_SMTP_USERNAME ?? "",
      from: process.env.MAIL_FROM ?? "",
    },
    secrets: { password: process.env.MAIL_SMTP_PASSWORD ?? "" },
  };
  await sendEmail(credential, email, AbortSignal.timeout(TIMEOUT_MS), TIMEOUT_MS);
}
