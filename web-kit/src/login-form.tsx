import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface LoginPageProps {
  title: string;
  /** The form's inputs; `logIn` reads them back from the submitted FormData by name. */
  fields: ComponentChildren;
  hint: ComponentChildren;
  /** When set, the hint gets this id and describes the form until an error does. */
  hintId?: string;
  logIn: (form: FormData) => Promise<void>;
}

/** The full-page login form: one submit at a time, the server's message shown as an alert on failure. */
export function LoginPage({ title, fields, hint, hintId, logIn }: LoginPageProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      await logIn(form);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" class="login">
      <h1 tabIndex={-1}>{title}</h1>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : hintId}>
        {fields}
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
      <p id={hintId} class="hint">
        {hint}
      </p>
    </main>
  );
}
