"use client";
import { useState } from "react";

type TAsked = { value: boolean; isSaved: boolean };

/**
 * An on/off switch whose change is saved by the server.
 *
 * The asked-for state is held locally from the click until the caller's data shows it. A
 * controlled input whose `checked` only changes after an asynchronous cache update is put
 * back by React at the end of the click, so without this the switch flicks back for a
 * moment and a quick second click reads the old state. `onCheckedChange` resolves with the
 * state the server saved; if it rejects, the switch shows `checked` again and the caller
 * reports the error.
 */
export function Switch({
  label,
  checked,
  onCheckedChange,
  onText = "On",
  offText = "Off",
}: {
  label: string;
  checked: boolean;
  onCheckedChange: (next: boolean) => Promise<boolean>;
  onText?: string;
  offText?: string;
}) {
  const [asked, setAsked] = useState<TAsked | null>(null);
  // The caller's data has caught up with the save: it speaks for the switch again.
  if (asked?.isSaved && asked.value === checked) setAsked(null);
  const shown = asked?.value ?? checked;
  return (
    <label className="inline-flex cursor-pointer items-center gap-2">
      <input
        type="checkbox"
        role="switch"
        aria-label={label}
        className="h-4 w-4 accent-indigo-600"
        checked={shown}
        disabled={asked !== null && !asked.isSaved}
        onChange={(event) => {
          setAsked({ value: event.target.checked, isSaved: false });
          onCheckedChange(event.target.checked).then(
            (saved) => setAsked({ value: saved, isSaved: true }),
            () => setAsked(null),
          );
        }}
      />
      <span aria-hidden className="text-slate-600">
        {shown ? onText : offText}
      </span>
    </label>
  );
}
