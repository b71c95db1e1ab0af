// What a tool's result says, in words: the chat card shows it, the agent's reply
// uses it, and an outcome delivered to the sandbox Outbox is never called "done".
// Shared by the server (replies, run outcomes) and the browser (tool cards).
import { formatMoney, moneyOf } from "./money";

/** A connector call that went to the tenant's sandbox Outbox (no credentials): nothing reached the real service. */
export function isSandboxDelivery(result: unknown): boolean {
  return Boolean(result && typeof result === "object" && (result as { delivered?: unknown }).delivered === "sandbox_outbox");
}

export const OUTBOX_PHRASE = "delivered to the sandbox Outbox, not sent";

function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === "object" && !Array.isArray(value);
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "—";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? "";
}

/** A result as indented "key: value" lines (lists as "- "), easier to read than JSON. */
export function resultText(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}(none)`;
    return value
      .map((item) => {
        if (isRecord(item) || Array.isArray(item)) {
          const nested = resultText(item, `${indent}  `);
          return `${indent}- ${nested.slice(indent.length + 2)}`;
        }
        return `${indent}- ${scalar(item)}`;
      })
      .join("\n");
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${indent}(empty)`;
    return entries
      .map(([key, item]) =>
        (isRecord(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)
          ? `${indent}${key}:\n${resultText(item, `${indent}  `)}`
          : `${indent}${key}: ${Array.isArray(item) ? "(none)" : scalar(item)}`,
      )
      .join("\n");
  }
  return `${indent}${scalar(value)}`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * One sentence about an executed call's result, for the agent's reply: what was found,
 * remembered or sent. Known tools get their own words; others a short form of the result.
 */
export function resultSummary(tool: string, args: unknown, result: unknown, max = 600): string {
  if (isSandboxDelivery(result)) {
    const money = moneyOf(args);
    const what = money ? `${tool} of ${formatMoney(money.amount, money.currency)}` : tool;
    return `${what} was ${OUTBOX_PHRASE}: this tenant has no credentials for the service, so nothing reached it.`;
  }
  if (isRecord(result) && "error" in result && Object.keys(result).length === 1) return `${tool} failed: ${scalar(result.error)}`;
  if (tool === "memory.search" && isRecord(result) && Array.isArray(result.entries)) {
    const entries = result.entries.filter(isRecord);
    if (entries.length === 0) return "I don't remember anything that matches.";
    return clip(`I remember: ${entries.map((entry) => `${scalar(entry.value)} (${scalar(entry.key)})`).join("; ")}.`, max);
  }
  if (tool === "memory.get" && isRecord(result)) {
    if (result.found === false) return `I don't remember anything under "${scalar(result.key)}".`;
    return clip(`${scalar(result.key)}: ${scalar(result.value)}`, max);
  }
  if (tool === "memory.set" && isRecord(result)) return `Remembered as "${scalar(result.key)}".`;
  if (tool === "skills.list" && isRecord(result) && Array.isArray(result.skills)) {
    const skills = result.skills.filter(isRecord);
    if (skills.length === 0) return "There are no skills yet.";
    return clip(`Skills: ${skills.map((skill) => `${scalar(skill.name)} (${scalar(skill.description)})`).join("; ")}.`, max);
  }
  if (tool === "skills.get" && isRecord(result)) {
    if (result.found === false) return `There is no skill "${scalar(result.name)}".`;
    return clip(`${scalar(result.name)} v${scalar(result.version)}: ${scalar(result.description)}. ${scalar(result.body)}`, max);
  }
  if (tool === "payments.transfer" && isRecord(result) && "transferId" in result) {
    const money = moneyOf(args);
    return `Transfer${money ? ` of ${formatMoney(money.amount, money.currency)}` : ""} sent: ${scalar(result.transferId)} (${scalar(result.status)}).`;
  }
  return clip(`${tool} done: ${resultText(result)}`, max);
}
