// Tenant roles, weakest first. A procedure names the least role it needs.
export const ROLES = ["viewer", "member", "approver", "admin", "owner"] as const;
export type TRole = (typeof ROLES)[number];

export function roleRank(role: TRole): number {
  return ROLES.indexOf(role);
}

export function hasRole(role: TRole, least: TRole): boolean {
  return roleRank(role) >= roleRank(least);
}
