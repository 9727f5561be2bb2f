"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { authClient } from "./client";

/** `provider`: the organisation's identity provider's name when one is configured (server/auth/oidc.ts). */
export function SignInForm({ provider = null, initialError = null }: { provider?: string | null; initialError?: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function withProvider() {
    setBusy(true);
    setError(null);
    // better-auth answers with the provider's authorization URL and the client goes there; errors come back to
    // /sign-in?error=… (server/auth/auth.ts onAPIError, errorCallbackURL).
    const { error: failure } = await authClient.signIn.social({ provider: "oidc", callbackURL: "/", errorCallbackURL: "/sign-in" });
    if (failure) {
      setBusy(false);
      setError(failure.status === 429 ? "Too many attempts. Wait a minute and try again." : (failure.message ?? "Sign-in failed"));
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const { error: failure } = await authClient.signIn.email({
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    setBusy(false);
    if (failure) {
      setError(failure.status === 429 ? "Too many attempts. Wait a minute and try again." : (failure.message ?? "Sign-in failed"));
      return;
    }
    router.replace("/");
    router.refresh();
  }

  return (
    <form className="panel auth-card" onSubmit={onSubmit} aria-describedby={error ? "sign-in-error" : undefined}>
      <h1>Sign in to Postern</h1>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error ? (
        <p id="sign-in-error" role="alert" className="error">
          {error}
        </p>
      ) : null}
      <button className="primary" type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {provider ? (
        <>
          <p className="muted" style={{ textAlign: "center", margin: 0 }}>or</p>
          <button type="button" onClick={() => void withProvider()} disabled={busy}>
            Sign in with {provider}
          </button>
        </>
      ) : null}
    </form>
  );
}
