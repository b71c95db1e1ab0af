// The catalog packs that ship with Agent Fabric. Versions are immutable: a change
// is a new version. Policies are Cedar; each has an @id, forbids may carry
// @effect("require_approval"), @tags (for approval routing) and @reason.
import type { TPackSource } from "./evaluate";

export type TCatalogPack = TPackSource & { description: string };

export const CATALOG_PACKS: readonly TCatalogPack[] = [
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
];

export function catalogPack(name: string, version: number): TCatalogPack | undefined {
  return CATALOG_PACKS.find((pack) => pack.name === name && pack.version === version);
}
