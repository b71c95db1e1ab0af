// Tailwind 4 reads its theme from CSS (app/globals.css, `@theme`). This file is
// loaded there with `@config` and holds what CSS cannot express: the content
// sources and the design tokens shared with components.
import type { Config } from "tailwindcss";

export default {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        brand: { DEFAULT: "#4f46e5", dark: "#3730a3", light: "#eef2ff" },
      },
    },
  },
} satisfies Config;
