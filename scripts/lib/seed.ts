// The demo: an operator and two tenants (acme, globex), each with an owner, an
// admin, an approver and a member. Idempotent: running it again restores the
// demo users' roles and passwords and changes nothing else.
import { hashPassword } from "@/server/auth/password";
import type { TRole } from "@/server/auth/roles";
import { platform } from "@/server/db/platform";

export const DEMO_PASSWORD = "agent-fabric-demo";
export const DEMO_OPERATOR = "operator@agent-fabric.test";
export const DEMO_TENANTS = [
  { slug: "acme", name: "Acme Corp", domain: "acme.test" },
  { slug: "globex", name: "Globex Inc", domain: "globex.test" },
] as const;
const DEMO_ROLES: TRole[] = ["owner", "admin", "approver", "member"];

export type DemoLogin = { email: string; tenant: string | null; role: TRole | "operator" };

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export async function seedDemo(): Promise<DemoLogin[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const logins: DemoLogin[] = [{ email: DEMO_OPERATOR, tenant: null, role: "operator" }];
  await platform.run((db) =>
    db.user.upsert({
      where: { email: DEMO_OPERATOR },
      create: { email: DEMO_OPERATOR, name: "Olivia Operator", passwordHash, isOperator: true },
      update: { passwordHash, isOperator: true },
    }),
  );
  for (const demo of DEMO_TENANTS) {
    const tenant = await platform.run((db) =>
      db.tenant.upsert({ where: { slug: demo.slug }, create: { slug: demo.slug, name: demo.name }, update: {} }),
    );
    await platform.inTenant(tenant.id, async (db) => {
      for (const role of DEMO_ROLES) {
        const email = `${role}@${demo.domain}`;
        const user = await db.user.upsert({
          where: { email },
          create: { email, name: `${titleCase(role)} of ${demo.name}`, passwordHash },
          update: { passwordHash },
        });
        await db.membership.upsert({
          where: { tenantId_userId: { tenantId: tenant.id, userId: user.id } },
          create: { tenantId: tenant.id, userId: user.id, role },
          update: { role },
        });
        logins.push({ email, tenant: demo.slug, role });
      }
    });
  }
  return logins;
}

export function formatLogins(logins: DemoLogin[]): string {
  const rows = logins.map((login) => `  ${login.email.padEnd(30)} ${(login.tenant ?? "(all tenants)").padEnd(14)} ${login.role}`);
  return [`Demo logins (password for all: ${DEMO_PASSWORD}):`, ...rows].join("\n");
}
