import { describe, expect, it } from "vitest";
import { ROLES, hasRole } from "./roles";

describe("roles", () => {
  it("orders roles from viewer to owner", () => {
    expect(ROLES).toEqual(["viewer", "member", "approver", "admin", "owner"]);
  });

  it("a role satisfies itself and every weaker role, never a stronger one", () => {
    for (const [i, role] of ROLES.entries()) {
      for (const [j, least] of ROLES.entries()) expect(hasRole(role, least)).toBe(i >= j);
    }
  });
});
