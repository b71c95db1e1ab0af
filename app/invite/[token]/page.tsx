import { AcceptInvitation } from "@/components/auth/accept-invitation";
import { currentUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await currentUser();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-4 text-lg font-semibold">Join a tenant</h1>
        <AcceptInvitation token={decodeURIComponent(token)} signedInEmail={user?.email ?? null} />
      </div>
    </main>
  );
}
