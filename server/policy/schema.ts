// The Cedar schema packs are validated against: who calls (User with a role, or
// Agent), which actions exist (the registered tools), and what the gate puts in
// the context. A pack that names an unknown tool or context field is rejected
// with Cedar's own message, before it can ever be used.
export const SAFETY_CLASSES = ["read_only", "write_internal", "external_side_effect", "financial", "destructive", "local_exec"] as const;
export type TSafetyClass = (typeof SAFETY_CLASSES)[number];

/** What every policy request carries in `context` (fields a pack may route on are optional). */
export type TPolicyContext = {
  safetyClass: TSafetyClass;
  tainted: boolean;
  tags: string[];
  pii: { hasAny: boolean; kinds: string[] };
  amount?: number;
  currency?: string;
  /** Set by the evaluator from amount and currency: ten-thousandths of the currency's major unit (lib/money.ts). */
  normalizedAmount?: number;
  counterparty?: string;
  knownCounterparty?: boolean;
  path?: string;
  command?: string;
  url?: string;
  /** shell.exec only: what the command analysis found (server/tools/local/shell-analysis.ts). */
  shell?: TShellContext;
};

/** Facts about a shell command: destructive kinds, and whether any part only resolves when it runs. */
export type TShellContext = { kinds: string[]; isUnresolved: boolean; reasons: string[]; commands: string[] };

export function cedarSchema(actions: readonly string[]): string {
  const names = actions.map((action) => JSON.stringify(action)).join(", ");
  return `
entity User = { role: String };
entity Agent;
entity Tenant;
type Pii = { hasAny: Bool, kinds: Set<String> };
type Shell = { kinds: Set<String>, isUnresolved: Bool, reasons: Set<String>, commands: Set<String> };
action ${names || '"none"'} appliesTo {
  principal: [User, Agent],
  resource: [Tenant],
  context: {
    safetyClass: String,
    tainted: Bool,
    tags: Set<String>,
    pii: Pii,
    amount?: Long,
    currency?: String,
    normalizedAmount?: Long,
    counterparty?: String,
    knownCounterparty?: Bool,
    path?: String,
    command?: String,
    url?: String,
    shell?: Shell,
  }
};`;
}
