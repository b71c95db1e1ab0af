// Which Chromium the end-to-end tests drive: $CHROMIUM_PATH, then Debian's
// /usr/bin/chromium, then Playwright's own download. With none, install Debian's
// `chromium` when we may (root or passwordless sudo, with apt-get), saying so;
// otherwise stop with the one command that gets one. No download is attempted
// behind the user's back: it would hang where only the package mirrors are reachable.
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";
import { aptInstall, findProgram, installCommand } from "./system-packages";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

function playwrightOwn(): string | null {
  try {
    const found = chromium.executablePath();
    return found && existsSync(found) ? found : null;
  } catch {
    return null;
  }
}

export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const own = playwrightOwn();
  if (own) return own;
  process.stdout.write("No Chromium found for the end-to-end tests.\n");
  if (aptInstall(["chromium"], "the end-to-end tests drive it") && existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const command = findProgram("apt-get") ? installCommand(["chromium"]) : "npx playwright install chromium";
  throw new Error(
    [
      "The end-to-end tests need Chromium. Install it, then run the tests again:",
      `  ${command}`,
      "(or point CHROMIUM_PATH at an existing Chromium or Chrome binary).",
    ].join("\n"),
  );
}
