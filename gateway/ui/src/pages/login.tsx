import { LoginPage as SharedLoginPage } from '@outpost/web-kit/login-form';
import { type SessionUser, post } from '../api.js';

export function LoginPage({ onLogin }: { onLogin: (user: SessionUser) => void }) {
  return (
    <SharedLoginPage
      title="Outpost gateway"
      fields={
        <>
          <label>
            User name
            <input name="username" autoComplete="username" required autoFocus />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
        </>
      }
      hint="Works without an uplink: accounts are local to this gateway."
      logIn={async (form) => {
        const { user } = await post<{ user: SessionUser }>('/ui/api/login', { username: String(form.get('username')), password: String(form.get('password')) });
        onLogin(user);
      }}
    />
  );
}
