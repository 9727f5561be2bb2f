import type { Metadata } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Postern", template: "%s · Postern" },
  description: "API security posture management",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = (await cookies()).get("postern-theme")?.value === "light" ? "light" : "dark";
  return (
    <html lang="en" data-theme={theme}>
      <body>{children}</body>
    </html>
  );
}
