import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Toaster } from "sonner";
import { Providers } from "@/components/trpc";
import "./globals.css";

export const metadata: Metadata = {
  title: "Agent Fabric",
  description: "Control plane for LLM agents: every tool call passes the Tool Policy Gate.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
        <Toaster richColors position="top-right" />
      </body>
    </html>
  );
}
