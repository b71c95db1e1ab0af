import { redirect } from "next/navigation";
import { serverCaller } from "@/server/trpc/server";
import { currentUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const caller = await serverCaller();
  const tenants = await caller.tenant.list();
  const first = tenants[0];
  if (first) redirect(`/t/${first.slug}/members`);
  if (user.isOperator) redirect("/operator");
  return (
    <main className="mx-auto max-w-md px-6 py-24 text-center">
      <h1 className="text-xl font-semibold">No tenant yet</h1>
      <p className="mt-2 text-sm text-slate-600">
        You are signed in as {user.email} but belong to no tenant. Ask a tenant admin to invite you.
      </p>
    </main>
  );
}
