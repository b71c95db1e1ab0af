"use client";
// Form pieces shared by the schedule and heartbeat forms.
import type { TextareaHTMLAttributes } from "react";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/field";

/** The browser's own zone, the usual choice for a new schedule. */
export function browserTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function zoneNames(): string[] {
  try {
    return ["UTC", ...Intl.supportedValuesOf("timeZone")];
  } catch {
    return ["UTC"];
  }
}

/** A zone input with the browser's IANA names as suggestions; the server checks what is typed. */
export function TimezoneInput({ id, name, defaultValue }: { id: string; name: string; defaultValue: string }) {
  const listId = `${id}-zones`;
  return (
    <>
      <Input id={id} name={name} list={listId} required maxLength={64} defaultValue={defaultValue} placeholder="Europe/Paris" />
      <datalist id={listId}>
        {zoneNames().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}

export function Textarea({ className, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <textarea
      className={cn(
        "block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500",
        className,
      )}
      {...props}
    />
  );
}

export function CronHint() {
  return (
    <p className="mt-1 text-xs text-slate-500">
      Five fields: minute hour day-of-month month day-of-week. <code>0 9 * * 1-5</code> is 09:00 on weekdays, <code>*/30 * * * *</code>{" "}
      every half hour. At most once a minute.
    </p>
  );
}
