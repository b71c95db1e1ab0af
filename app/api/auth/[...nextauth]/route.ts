import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/options";
import { throttledCredentialsCallback } from "@/server/auth/sign-in";

const handler = NextAuth(authOptions);

type TRouteContext = { params: Promise<{ nextauth: string[] }> };

// The credentials callback passes the sign-in throttle first (429 + Retry-After).
async function POST(request: Request, context: TRouteContext): Promise<Response> {
  const { nextauth } = await context.params;
  if (nextauth.join("/") === "callback/credentials") {
    return throttledCredentialsCallback(request, () => handler(request, context));
  }
  return handler(request, context) as Promise<Response>;
}

export { handler as GET, POST };
