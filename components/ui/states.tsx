import type { ReactNode } from "react";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" className="flex items-center gap-2 py-6 text-sm text-slate-500">
      <span className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" aria-hidden />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-md border border-dashed border-slate-300 px-6 py-10 text-center">
      <p className="text-sm font-medium text-slate-700">{title}</p>
      {children ? <div className="mt-1 text-sm text-slate-500">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      {message}
      {onRetry ? (
        <button type="button" onClick={onRetry} className="ml-3 font-medium underline">
          Try again
        </button>
      ) : null}
    </div>
  );
}

type TQueryLike = { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };

/** Loading, error and empty states of a list query, in one place; renders children when there is data. */
export function QueryStates({
  query,
  isEmpty,
  emptyTitle,
  errorText,
  children,
}: {
  query: TQueryLike;
  isEmpty: boolean;
  emptyTitle: string;
  errorText: (error: unknown) => string;
  children: ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState message={errorText(query.error)} onRetry={() => void query.refetch()} />;
  if (isEmpty) return <EmptyState title={emptyTitle} />;
  return <>{children}</>;
}
