import { z } from "zod";
import { ZEmail } from "@/server/members/schemas";
import { zText } from "@/server/validation";

export const ZTenantSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, {
    message: "use 1-40 lowercase letters, digits and dashes, starting and ending with a letter or digit",
  });

export const ZCreateTenant = z.object({
  slug: ZTenantSlug,
  name: zText({ max: 120 }),
  ownerEmail: ZEmail,
});

export type TCreateTenant = z.infer<typeof ZCreateTenant>;
