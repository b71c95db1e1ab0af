import { ResetPasswordForm } from "@/components/account/password-reset";
import { ErrorState } from "@/components/ui/states";

export const dynamic = "force-dynamic";

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-4 text-lg font-semibold">Choose a new password</h1>
        {token ? <ResetPasswordForm token={token} /> : <ErrorState message="This reset link is not valid." />}
      </div>
    </main>
  );
}
