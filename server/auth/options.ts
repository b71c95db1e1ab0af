// next-auth v4: email and password sign-in with JWT sessions (the credentials
// provider requires JWT). The token carries the user id and the user's session
// version; every request reloads the user and compares the version, so sign-out,
// "sign out everywhere" and a password change end every earlier token at once.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { withUser } from "@/server/db";
import { logger } from "@/server/logger";
import { hasSignInReservation, settleCurrentSignIn } from "./sign-in";
import { authenticate } from "./users";

const ZCredentials = z.object({ email: z.email().trim().max(320), password: z.string().min(1).max(200) });

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        // Fail closed: no attempt is checked unless the throttle counted it first.
        if (!hasSignInReservation()) return null;
        const parsed = ZCredentials.safeParse(raw);
        const user = parsed.success ? await authenticate(parsed.data.email, parsed.data.password) : null;
        if (!(await settleCurrentSignIn(user?.id ?? null))) return null;
        if (!user) logger.info({ event: "signin_failed" }, "sign-in refused");
        return user ? { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } : null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sv = (user as { sessionVersion?: number }).sessionVersion;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, userId: token.sub, sessionVersion: token.sv };
    },
  },
  events: {
    // Sign-out ends this session and, since they share the user's version, every other one.
    async signOut({ token }) {
      const userId = token?.sub;
      if (!userId) return;
      await withUser(userId, (db) => db.$queryRaw`SELECT account_end_sessions()`).catch((error: unknown) => {
        logger.error({ err: error, event: "signout_failed" }, "could not end the sessions");
      });
    },
  },
};
