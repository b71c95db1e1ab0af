/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages that must not be bundled.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "bcryptjs", "@cedar-policy/cedar-wasm", "pg-boss"],
  typedRoutes: false,
  // Lint and types run as their own steps in `npm test`.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
