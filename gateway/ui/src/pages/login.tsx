import { useState } from 'preact/hooks';
import { type SessionUser, post } from '../api.js';

export function LoginPage({ onLogin }: { onLogin: (user: SessionUser) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      const { user } = await post<{ user: SessionUser }>('/ui/api/login', { username: String(form.get('username')), password: String(form.get('password')) });
      onLogin(user);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" class="login">
      <h1 tabIndex={-1}>Outpost gateway</h1>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label>
          User name
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
      <p class="hint">Works without an uplink: accounts are local to this gateway.</p>
    </main>
  );
}
