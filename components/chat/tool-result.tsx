"use client";
import { useState } from "react";
import { Money } from "@/components/ui/money";
import { moneyOf } from "@/lib/money";
import { resultText } from "@/lib/tool-result";

/** Results longer than this many lines are collapsed behind "Show all". */
const COLLAPSED_LINES = 8;
const COLLAPSED_CHARS = 800;

function argumentValue(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}

/** The call's arguments as "key: value" lines; an amount with its currency reads as money, the raw value on hover. */
export function ToolArguments({ args }: { args: unknown }) {
  if (!args || typeof args !== "object" || Array.isArray(args))
    return <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs text-slate-700">{argumentValue(args)}</pre>;
  const entries = Object.entries(args as Record<string, unknown>);
  if (entries.length === 0) return null;
  const money = moneyOf(args);
  return (
    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 rounded bg-slate-50 p-2 text-xs text-slate-700" data-testid="tool-args">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-mono text-slate-500">{key}</dt>
          <dd className="min-w-0 break-words font-mono">
            {key === "amount" && money ? <Money minor={money.amount} currency={money.currency} /> : argumentValue(value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** What the tool returned, readable; long results collapsed with an expander. */
export function ToolResult({ result }: { result: unknown }) {
  const [isOpen, setOpen] = useState(false);
  const text = resultText(result);
  const lines = text.split("\n");
  const isLong = lines.length > COLLAPSED_LINES || text.length > COLLAPSED_CHARS;
  const shown = isLong && !isOpen ? `${lines.slice(0, COLLAPSED_LINES).join("\n").slice(0, COLLAPSED_CHARS)}\n…` : text;
  return (
    <div className="mt-2" data-testid="tool-result">
      <p className="text-xs font-medium text-slate-600">Result</p>
      <pre className="mt-1 max-h-96 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 text-xs text-slate-800">
        {shown}
      </pre>
      {isLong ? (
        <button
          type="button"
          className="mt-1 text-xs text-indigo-700 hover:underline"
          aria-expanded={isOpen}
          onClick={() => setOpen((open) => !open)}
        >
          {isOpen ? "Show less" : `Show all (${lines.length} lines)`}
        </button>
      ) : null}
    </div>
  );
}
