import { LoginPage as SharedLoginPage } from '@outpost/web-kit/login-form';
import { logIn } from '../api.js';

export function LoginPage({ onLogin }: { onLogin: () => void }) {
  return (
    <SharedLoginPage
      title="Outpost ops console"
      fields={
        <label>
          API token
          <input name="token" type="password" autoComplete="current-password" required autoFocus />
        </label>
      }
      hint={
        <>
          The hub's API token: <code>&lt;dataDir&gt;/api-token</code> on the hub, or its <code>http.apiToken</code> setting. The session lasts 12 hours.
        </>
      }
      hintId="login-hint"
      logIn={async (form) => {
        await logIn(String(form.get('token')));
        onLogin();
      }}
    />
  );
}
