import { RequestResetForm } from "@/components/account/password-reset";

export default function ForgotPasswordPage() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-lg font-semibold">Forgot your password?</h1>
        <p className="mb-6 mt-1 text-sm text-slate-500">We send a one-time link, valid for an hour, to the account&apos;s address.</p>
        <RequestResetForm />
      </div>
    </main>
  );
}
