export { withTenant, withUser, withoutTenant, type TenantDb, type PlatformDb } from "./scoped";
export { disconnect } from "./client";
