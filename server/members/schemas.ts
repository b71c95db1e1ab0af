import { z } from "zod";
import { ROLES } from "@/server/auth/roles";

export const ZRole = z.enum(ROLES, { message: `role must be one of ${ROLES.join(", ")}` });
export const ZEmail = z.email({ message: "must be an email address" }).trim().toLowerCase().max(320);

export const ZInviteMember = z.object({ email: ZEmail, role: ZRole });
export const ZUpdateRole = z.object({ membershipId: z.uuid(), role: ZRole });
export const ZRemoveMember = z.object({ membershipId: z.uuid() });

export type TInviteMember = z.infer<typeof ZInviteMember>;
