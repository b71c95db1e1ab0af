"use client";
import type { FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Label, Select } from "@/components/ui/field";
import { parseMajorAmount, SAFETY_CLASS_LABELS } from "./format";

export type TInboxFilters = { tool?: string; safetyClass?: string; minAmount?: number; maxAmount?: number };

/** Narrow the inbox by tool, safety class and amount (typed in major units, e.g. 1000 for 1,000.00). */
export function InboxFilters({ tools, onApply }: { tools: string[]; onApply: (filters: TInboxFilters) => void }) {
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    onApply({
      tool: text("tool") || undefined,
      safetyClass: text("safetyClass") || undefined,
      minAmount: parseMajorAmount(text("minAmount")),
      maxAmount: parseMajorAmount(text("maxAmount")),
    });
  }

  return (
    <form
      onSubmit={onSubmit}
      onReset={() => onApply({})}
      aria-label="Filter approvals"
      className="grid grid-cols-2 gap-3 md:grid-cols-[1fr_1fr_8rem_8rem_auto] md:items-end"
    >
      <div>
        <Label htmlFor="approval-filter-tool">Tool</Label>
        <Input id="approval-filter-tool" name="tool" list="approval-filter-tools" placeholder="payments.transfer" />
        <datalist id="approval-filter-tools">
          {tools.map((tool) => (
            <option key={tool} value={tool} />
          ))}
        </datalist>
      </div>
      <div>
        <Label htmlFor="approval-filter-class">Safety class</Label>
        <Select id="approval-filter-class" name="safetyClass" defaultValue="" className="w-full">
          <option value="">any</option>
          {Object.entries(SAFETY_CLASS_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
      </div>
      <div>
        <Label htmlFor="approval-filter-min">Min amount</Label>
        <Input id="approval-filter-min" name="minAmount" inputMode="decimal" placeholder="1000" />
      </div>
      <div>
        <Label htmlFor="approval-filter-max">Max amount</Label>
        <Input id="approval-filter-max" name="maxAmount" inputMode="decimal" placeholder="50000" />
      </div>
      <div className="flex gap-2">
        <Button type="submit" variant="secondary">
          Apply
        </Button>
        <Button type="reset" variant="ghost">
          Clear
        </Button>
      </div>
    </form>
  );
}
