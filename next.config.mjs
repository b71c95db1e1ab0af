import { SECRET_QUERY } from "./server/net/secret-params.mjs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages that must not be bundled.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "bcryptjs", "@cedar-policy/cedar-wasm", "pg-boss"],
  typedRoutes: false,
  // The dev server logs each request's full URL; one whose query carries a secret
  // (Meta's hub.verify_token, a pasted api_key) is not logged at all. `next start`
  // logs no requests.
  logging: { incomingRequests: { ignore: [SECRET_QUERY] } },
  // Lint and types run as their own steps in `npm test`.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
