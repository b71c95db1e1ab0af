// The catalog packs that ship with Agent Fabric. Versions are immutable: a change
// is a new version. Policies are Cedar; each has an @id, forbids may carry
// @effect("require_approval"), @tags (for approval routing) and @reason.
import type { TPackSource } from "./evaluate";

export type TCatalogPack = TPackSource & { description: string };

// Frozen: a version never changes, and the policy engine keeps each one's hash by identity.
export const CATALOG_PACKS: readonly TCatalogPack[] = Object.freeze(
  (
    [
      {
        name: "baseline",
        version: 1,
        description: "Members and agents may use the registered tools.",
        text: `
// baseline v1: members and above may call the tools registered for this deployment.
// (The registry decides which tools exist; viewers only watch.)
@id("permit-members")
@reason("members may use the registered tools")
permit (principal, action, resource)
when { principal has role && principal.role != "viewer" };

@id("permit-agents")
@reason("the tenant's agents may use the registered tools")
permit (principal is Agent, action, resource);
`,
      },
      {
        name: "treasury",
        version: 1,
        description: "Large transfers and unknown counterparties need approval.",
        text: `
// treasury v1: money does not move without a person looking at it when it is large
// or goes somewhere new. Amounts are in minor units (cents).
@id("large-transfer")
@effect("require_approval")
@tags("finance")
@reason("financial calls above 1,000.00 need approval")
forbid (principal, action, resource)
when { context.safetyClass == "financial" && context has amount && context.amount > 100000 };

@id("unknown-counterparty")
@effect("require_approval")
@tags("finance,counterparty")
@reason("financial calls to a counterparty not on the tenant's list need approval")
forbid (principal, action, resource)
when { context.safetyClass == "financial" && !(context has knownCounterparty && context.knownCounterparty) };
`,
      },
      {
        name: "treasury",
        version: 2,
        description: "Transfers above 1,000 in their own currency and unknown counterparties need approval.",
        text: `
// treasury v2: as v1, but the threshold is in the transfer's own currency: 1,000.00 USD,
// 1,000 JPY and 1,000.000 KWD, not 100,000 minor units whatever they are.
// context.normalizedAmount is the amount in ten-thousandths of the major unit
// (lib/money.ts), so 1,000 is 10000000. A call with an amount but no currency is
// still compared in minor units, as in v1 (never looser than before).
@id("large-transfer")
@effect("require_approval")
@tags("finance")
@reason("financial calls above 1,000 in their own currency need approval")
forbid (principal, action, resource)
when {
  context.safetyClass == "financial" &&
  ((context has normalizedAmount && context.normalizedAmount > 10000000) ||
   (!(context has normalizedAmount) && context has amount && context.amount > 100000))
};

@id("unknown-counterparty")
@effect("require_approval")
@tags("finance,counterparty")
@reason("financial calls to a counterparty not on the tenant's list need approval")
forbid (principal, action, resource)
when { context.safetyClass == "financial" && !(context has knownCounterparty && context.knownCounterparty) };
`,
      },
      {
        name: "pii-strict",
        version: 1,
        description: "Outbound calls carrying personal data need approval.",
        text: `
// pii-strict v1: outbound messages and fetches that carry personal data are held.
// The gate detects emails, phone numbers, card and IBAN numbers in the arguments
// and passes what it found as context.pii.
@id("outbound-pii")
@effect("require_approval")
@tags("pii")
@reason("outbound calls carrying emails, phone numbers, card or IBAN numbers need approval")
forbid (principal, action, resource)
when { context.safetyClass == "external_side_effect" && context.pii.hasAny };
`,
      },
      {
        name: "external-tools-untrusted",
        version: 1,
        description: "After reading untrusted content, external and financial calls need approval.",
        text: `
// external-tools-untrusted v1: once a run has read untrusted content (web pages,
// inbound messages, sheets), what it does outside is decided by a person.
@id("tainted-external")
@effect("require_approval")
@tags("taint")
@reason("the run has read untrusted content; external side effects need approval")
forbid (principal, action, resource)
when { context.tainted && context.safetyClass == "external_side_effect" };

@id("tainted-financial")
@effect("require_approval")
@tags("taint,finance")
@reason("the run has read untrusted content; financial calls need approval")
forbid (principal, action, resource)
when { context.tainted && context.safetyClass == "financial" };
`,
      },
      {
        name: "shell-command-safety",
        version: 1,
        description: "Destructive or unresolvable shell commands need approval; privilege escalation and wiping / are denied.",
        text: `
// shell-command-safety v1 (on by default): shell.exec commands are parsed, not matched
// as text; the gate passes what the analysis found as context.shell. A held command
// runs, once approved, after a snapshot of the workspace (restorable from the Trash).
@id("recursive-delete")
@effect("require_approval")
@tags("shell,destructive")
@reason("the command deletes recursively or en masse (rm -r, rm with a pattern, xargs rm, git clean, rsync --delete)")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("recursive_delete") };

@id("find-delete")
@effect("require_approval")
@tags("shell,destructive")
@reason("the command deletes what find finds (-delete, -exec rm)")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("find_delete") };

@id("mass-kill")
@effect("require_approval")
@tags("shell,destructive")
@reason("the command signals many processes at once (kill -1, process groups, pkill, killall)")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("mass_kill") };

@id("wipe")
@effect("require_approval")
@tags("shell,destructive")
@reason("the command writes devices or wipes data for good (dd of=, mkfs, shred, wipefs)")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("wipe") };

@id("truncate")
@effect("require_approval")
@tags("shell,destructive")
@reason("the command truncates files")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("truncate") };

@id("recursive-permission")
@effect("require_approval")
@tags("shell,destructive")
@reason("the command changes permissions or owners recursively")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("recursive_permission") };

@id("pipe-to-shell")
@effect("require_approval")
@tags("shell,code")
@reason("an interpreter reads its program from a pipe or input (curl | sh, base64 -d | sh)")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("pipe_to_shell") };

@id("inline-code")
@effect("require_approval")
@tags("shell,code")
@reason("an interpreter runs code given inline (python3 -c, node -e, perl -e, awk system())")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("inline_code") };

@id("script-file")
@effect("require_approval")
@tags("shell,code")
@reason("the command runs a shell script or program of the workspace, whose content is not analysed")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("script_file") };

@id("credential-read")
@effect("require_approval")
@tags("shell,credentials")
@reason("the command touches credential files (SSH keys, /etc/shadow, cloud credentials, .env)")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("credential_read") };

@id("unresolved")
@effect("require_approval")
@tags("shell,unresolved")
@reason("part of the command is only known when it runs (a variable or substitution as the command, eval, aliases, a here-doc into an interpreter)")
forbid (principal, action, resource)
when { context has shell && context.shell.isUnresolved };

@id("privilege-escalation")
@tags("shell")
@reason("privilege escalation (sudo, su, doas, nsenter, chroot) is denied in the sandbox")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("privilege_escalation") };

@id("system-wipe")
@tags("shell,destructive")
@reason("deleting everything from / is denied; delete what you mean by name")
forbid (principal, action, resource)
when { context has shell && context.shell.kinds.contains("system_wipe") };
`,
      },
    ] satisfies TCatalogPack[]
  ).map((pack) => Object.freeze(pack)),
);

export function catalogPack(name: string, version: number): TCatalogPack | undefined {
  return CATALOG_PACKS.find((pack) => pack.name === name && pack.version === version);
}
