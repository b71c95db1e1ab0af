// The built-in scripted planner: maps plain requests to tool calls so the demo
// works offline, with no model. It is a planner like any other: whatever it
// proposes still goes through the gate. Labelled as such in the UI.
import { resultSummary } from "@/lib/tool-result";
import type { TPlannerStep, TRecordedCall } from "@/server/events/replay";

export const SCRIPTED_PLANNER_LABEL = "scripted demo planner (no LLM configured)";

function keyFor(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, " ")
    .split(/\s+/)
    .filter((word) => word && !["the", "a", "an", "is", "are", "that", "on", "at", "in", "of", "to"].includes(word));
  return words.slice(0, 3).join("-") || "note";
}

/**
 * One step: a call for the first request it recognizes, or a final answer. Once a call
 * has run, the answer says what it returned (what was remembered, found or sent), as a
 * model would. A count instead of the results (older callers) answers "Done.".
 */
export function scriptedPlan(message: string, results: readonly TRecordedCall[] | number): TPlannerStep {
  const text = message.trim();
  if (typeof results === "number") {
    if (results > 0) return { final: "Done." };
  } else if (results.length > 0) {
    return { final: results.map((call) => resultSummary(call.tool, call.args, call.result)).join(" ") };
  }
  let match: RegExpMatchArray | null;
  if ((match = text.match(/^remember(?: that)?\s+(.+)$/i))) {
    const fact = match[1] ?? "";
    return { call: { tool: "memory.set", args: { key: keyFor(fact), value: fact } } };
  }
  if ((match = text.match(/^forget\s+(?:about\s+)?(.+)$/i)))
    return { call: { tool: "memory.delete", args: { key: keyFor(match[1] ?? "") } } };
  if ((match = text.match(/^what do you (?:remember|know)(?: about (.+?))?\??$/i)))
    return { call: { tool: "memory.search", args: { query: match[1] ?? "" } } };
  // "schedule `0 9 * * 1-5` in Europe/Paris: what do you remember?", "list schedules", "cancel schedule <label>".
  if ((match = text.match(/^schedule\s+`([^`]+)`(?:\s+in\s+([A-Za-z0-9_/+-]+))?\s*:?\s+(.+)$/i))) {
    const task = match[3] ?? "";
    const timezone = match[2] ? { timezone: match[2] } : {};
    return { call: { tool: "cron.schedule", args: { label: keyFor(task), expression: match[1], ...timezone, message: task } } };
  }
  if (/^(?:list|show)\s+(?:my\s+|the\s+)?schedules\??$/i.test(text)) return { call: { tool: "cron.list", args: {} } };
  if ((match = text.match(/^cancel\s+(?:the\s+)?schedule\s+["“]?(.+?)["”]?$/i)))
    return { call: { tool: "cron.cancel", args: { label: match[1] } } };
  if ((match = text.match(/^run\s+(?:the\s+)?workflow\s+([a-z0-9][a-z0-9._-]{0,79})$/i)))
    return { call: { tool: "workflow.run", args: { name: (match[1] ?? "").toLowerCase() } } };
  if (/^(?:what|which|list)\b.*\bskills\b/i.test(text)) return { call: { tool: "skills.list", args: {} } };
  if ((match = text.match(/^(?:show|read|get)\s+(?:the\s+)?skill\s+([a-z0-9][a-z0-9._-]{0,79})$/i)))
    return { call: { tool: "skills.get", args: { name: (match[1] ?? "").toLowerCase() } } };
  if ((match = text.match(/^(?:run|execute|exec)\s+`?([^`]+)`?$/i))) return { call: { tool: "shell.exec", args: { command: match[1] } } };
  if ((match = text.match(/^(?:use|with)\s+(python|node|bash|perl|ruby)\b.*?(?:to\s+)?(.*)$/i))) {
    return { call: { tool: "shell.exec", args: { command: `${(match[1] ?? "").toLowerCase()} -c ${JSON.stringify(match[2] ?? "")}` } } };
  }
  if (/\b(delete|forget|erase|wipe)\b.*\b(everything|all)\b/i.test(text)) return { call: { tool: "memory.delete", args: { all: true } } };
  if ((match = text.match(/^(?:read|cat|open)\s+(?:the\s+)?(?:file\s+)?(\S+)$/i)))
    return { call: { tool: "fs.read", args: { path: match[1] } } };
  if ((match = text.match(/^fetch\s+(\S+)/i))) return { call: { tool: "web.fetch", args: { url: match[1] } } };
  // "whatsapp <text> to <+number>", "send a whatsapp <text> to <+number>", "send <text> to <+number> on whatsapp".
  if (
    (match = text.match(
      /^(?:whatsapp|send\s+(?:an?\s+)?whatsapp(?:\s+message)?)\s+["“]?(.+?)["”]?\s+to\s+(\+?[0-9][0-9 ().-]{5,30}[0-9])$/i,
    )) ||
    (match = text.match(/^send\s+["“]?(.+?)["”]?\s+to\s+(\+?[0-9][0-9 ().-]{5,30}[0-9])\s+(?:on|via|by|over)\s+whatsapp$/i))
  )
    return { call: { tool: "whatsapp.send", args: { to: match[2], text: match[1] } } };
  // "send <text> to <x>": email when x is an address, Slack when x is "slack", the tenant's webhook otherwise.
  if ((match = text.match(/^send\s+["“]?(.+?)["”]?\s+to\s+(\S+)$/i))) {
    const [, body = "", target = ""] = match;
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(target))
      return { call: { tool: "message.send", args: { channel: "email", to: target, text: body } } };
    if (/^#?slack$/i.test(target)) return { call: { tool: "message.send", args: { channel: "slack", text: body } } };
    return { call: { tool: "message.send", args: { channel: "webhook", to: target, text: body } } };
  }
  if ((match = text.match(/^(?:transfer|pay|send)\s+([0-9][0-9,.]*)\s*([A-Za-z]{3})\s+to\s+(.+)$/i))) {
    const amount = Math.round(Number((match[1] ?? "0").replace(/,/g, "")) * 100);
    return {
      call: {
        tool: "payments.transfer",
        args: { amount, currency: (match[2] ?? "").toUpperCase(), counterparty: (match[3] ?? "").trim() },
      },
    };
  }
  return {
    final:
      'I can remember things ("remember that …"), recall them ("what do you remember?"), forget them, run commands, fetch pages, send messages and make transfers — each only as far as this tenant\'s policies allow.',
  };
}
