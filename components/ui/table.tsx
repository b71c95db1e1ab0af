import type { ReactNode } from "react";
import { cn } from "./cn";

export type TColumn = { label: string; align?: "left" | "right" };

export function Table({ columns, testId, children }: { columns: TColumn[]; testId?: string; children: ReactNode }) {
  return (
    <table className="w-full text-sm" data-testid={testId}>
      <thead>
        <tr className="border-b border-slate-100 text-left text-xs uppercase tracking-wide text-slate-500">
          {columns.map((column) => (
            <th key={column.label} className={cn("py-2 font-medium", column.align === "right" && "text-right")}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Row({ children, className }: { children: ReactNode; className?: string }) {
  return <tr className={cn("border-b border-slate-50 last:border-0", className)}>{children}</tr>;
}
