// next-auth v4: email and password sign-in with JWT sessions (the credentials
// provider requires JWT). The token carries only the user id; every request
// reloads the user and memberships, so removals take effect immediately.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { withoutTenant } from "@/server/db";
import { logger } from "@/server/logger";
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
        const parsed = ZCredentials.safeParse(raw);
        if (!parsed.success) return null;
        const user = await withoutTenant((db) => authenticate(db, parsed.data.email, parsed.data.password));
        if (!user) logger.info({ event: "signin_failed" }, "sign-in refused");
        return user;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      return { ...session, userId: token.sub };
    },
  },
};
