"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";

/** The caller's own password: the current one, the new one twice. `then`: where to go once changed. */
export function ChangePasswordForm({ then, className = "panel" }: { then?: string; className?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        setDone(true);
        if (then) {
          router.replace(then);
          router.refresh();
        }
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = String(form.get("newPassword") ?? "");
    setDone(false);
    setMismatch(newPassword !== String(form.get("repeat") ?? ""));
    if (newPassword !== String(form.get("repeat") ?? "")) return;
    change.mutate({ currentPassword: String(form.get("currentPassword") ?? ""), newPassword }, { onSuccess: () => formElement.reset() });
  }

  const error = mismatch ? "The two new passwords differ." : change.error?.message;
  return (
    <form className={className} onSubmit={onSubmit} aria-label="Change password" style={{ display: "flex", flexDirection: "column", gap: 10, maxWidth: 360 }}>
      <label style={{ display: "flex", flexDirection: "column", gap: 4 }}>
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label style={{ display: "flex", flexDirection: "column", gap: 4 }}>
        New password
        <input name="newPassword" type="password" autoComplete="new-password" minLength={12} maxLength={128} required />
      </label>
      <label style={{ display: "flex", flexDirection: "column", gap: 4 }}>
        Repeat the new password
        <input name="repeat" type="password" autoComplete="new-password" minLength={12} maxLength={128} required />
      </label>
      <p className="muted" style={{ margin: 0 }}>
        At least 12 characters. Your other sessions are signed out.
      </p>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {done && !then ? <p role="status">Password changed.</p> : null}
      <button className="primary" type="submit" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}
