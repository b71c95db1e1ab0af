// Secrets a tool opened during one gate call. The gate runs each tool inside a scope;
// openCredentialForCall adds the values it reveals; whatever the tool returns or
// throws is scrubbed of them before it is recorded or shown. An API that echoes a
// token in its error, or a URL that is itself the secret, cannot leak it into the
// event log, an export, the chat or a log line.
import { AsyncLocalStorage } from "node:async_hooks";

const opened = new AsyncLocalStorage<Set<string>>();
const MIN_LENGTH = 6;
export const SCRUBBED = "[secret]";

export function withSecretScope<T>(secrets: Set<string>, work: () => Promise<T>): Promise<T> {
  return opened.run(secrets, work);
}

/** Called with every secret value a tool is given. */
export function revealSecrets(values: Iterable<string>): void {
  const scope = opened.getStore();
  if (!scope) return;
  for (const value of values) {
    if (value.length >= MIN_LENGTH) scope.add(value);
    // A URL that is a secret (a Slack webhook) leaks through its path too.
    try {
      const url = new URL(value);
      if (url.pathname.length >= MIN_LENGTH + 1) scope.add(url.pathname);
    } catch {
      // not a URL
    }
  }
}

export function scrubText(text: string, secrets: ReadonlySet<string>): string {
  let clean = text;
  // Longest first, so a URL is replaced whole before its path.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) clean = clean.split(secret).join(SCRUBBED);
  return clean;
}

export function scrubValue<T>(value: T, secrets: ReadonlySet<string>): T {
  if (secrets.size === 0 || value === undefined) return value;
  const text = JSON.stringify(value);
  const clean = scrubText(text, secrets);
  return clean === text ? value : (JSON.parse(clean) as T);
}
