// The built-in scripted planner: maps plain requests to tool calls so the demo
// works offline, with no model. It is a planner like any other: whatever it
// proposes still goes through the gate. Labelled as such in the UI.
import type { TPlannerStep } from "@/server/events/replay";

export const SCRIPTED_PLANNER_LABEL = "scripted demo planner (no LLM configured)";

function keyFor(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, " ")
    .split(/\s+/)
    .filter((word) => word && !["the", "a", "an", "is", "are", "that", "on", "at", "in", "of", "to"].includes(word));
  return words.slice(0, 3).join("-") || "note";
}

/** One step: a call for the first request it recognizes, or a final answer. */
export function scriptedPlan(message: string, resultsSoFar: number): TPlannerStep {
  const text = message.trim();
  if (resultsSoFar > 0) return { final: "Done." };
  let match: RegExpMatchArray | null;
  if ((match = text.match(/^remember(?: that)?\s+(.+)$/i))) {
    const fact = match[1] ?? "";
    return { call: { tool: "memory.set", args: { key: keyFor(fact), value: fact } } };
  }
  if ((match = text.match(/^forget\s+(?:about\s+)?(.+)$/i)))
    return { call: { tool: "memory.delete", args: { key: keyFor(match[1] ?? "") } } };
  if ((match = text.match(/^what do you (?:remember|know)(?: about (.+?))?\??$/i)))
    return { call: { tool: "memory.search", args: { query: match[1] ?? "" } } };
  if ((match = text.match(/^(?:run|execute|exec)\s+`?([^`]+)`?$/i))) return { call: { tool: "shell.exec", args: { command: match[1] } } };
  if ((match = text.match(/^(?:use|with)\s+(python|node|bash|perl|ruby)\b.*?(?:to\s+)?(.*)$/i))) {
    return { call: { tool: "shell.exec", args: { command: `${(match[1] ?? "").toLowerCase()} -c ${JSON.stringify(match[2] ?? "")}` } } };
  }
  if (/\b(delete|forget|erase|wipe)\b.*\b(everything|all)\b/i.test(text)) return { call: { tool: "memory.delete", args: { all: true } } };
  if ((match = text.match(/^(?:read|cat|open)\s+(?:the\s+)?(?:file\s+)?(\S+)$/i)))
    return { call: { tool: "fs.read", args: { path: match[1] } } };
  if ((match = text.match(/^fetch\s+(\S+)/i))) return { call: { tool: "web.fetch", args: { url: match[1] } } };
  if ((match = text.match(/^send\s+["“]?(.+?)["”]?\s+to\s+(\S+)$/i)))
    return { call: { tool: "message.send", args: { to: match[2], text: match[1] } } };
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
