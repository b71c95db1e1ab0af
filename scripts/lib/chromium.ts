// Which Chromium the end-to-end tests drive: $CHROMIUM_PATH, then Debian's
// /usr/bin/chromium, then Playwright's own download. With none, try
// `playwright install chromium` (works where the internet is reachable), and
// otherwise stop with a message saying how to get one.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

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
  process.stdout.write("No Chromium found; trying `playwright install chromium`…\n");
  const install = spawnSync(process.execPath, ["node_modules/@playwright/test/cli.js", "install", "chromium"], {
    stdio: "inherit",
    timeout: 300_000,
  });
  const installed = install.status === 0 ? playwrightOwn() : null;
  if (installed) return installed;
  throw new Error(
    [
      "The end-to-end tests need Chromium, and none could be found or downloaded.",
      "Install one, then run the tests again:",
      "  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium",
      "  or point CHROMIUM_PATH at an existing Chromium or Chrome binary.",
    ].join("\n"),
  );
}
