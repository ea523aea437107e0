import 'uplot/dist/uPlot.min.css';
import '@outpost/web-kit/base.css';
import { AppShell, LogoutButton, useFocusHeading, useHash } from '@outpost/web-kit/app-shell';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type SessionUser, loadSession, post } from './api.js';
import { AlertsPage } from './pages/alerts.js';
import { DeviceDetailPage } from './pages/device-detail.js';
import { DevicesPage } from './pages/devices.js';
import { DiagnosticsPage } from './pages/diagnostics.js';
import { LoginPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { SettingsPage } from './pages/settings.js';
import { UsersPage } from './pages/users.js';

const NAV = [
  ['#/', 'Overview'],
  ['#/devices', 'Devices'],
  ['#/alerts', 'Alerts'],
  ['#/diagnostics', 'Diagnostics'],
  ['#/settings', 'Settings'],
  ['#/users', 'Users'],
] as const;

function Page({ hash, user }: { hash: string; user: SessionUser }) {
  const device = /^#\/devices\/(.+)$/.exec(hash);
  if (device) return <DeviceDetailPage id={decodeURIComponent(device[1]!)} user={user} />;
  switch (hash) {
    case '#/devices':
      return <DevicesPage user={user} />;
    case '#/alerts':
      return <AlertsPage user={user} />;
    case '#/diagnostics':
      return <DiagnosticsPage />;
    case '#/settings':
      return <SettingsPage user={user} />;
    case '#/users':
      return <UsersPage user={user} />;
    default:
      return <OverviewPage />;
  }
}

function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const hash = useHash();
  useEffect(() => {
    loadSession().then(setUser, () => setUser(null));
  }, []);
  useFocusHeading([hash, user]);
  if (user === undefined) return <p>Loading…</p>;
  if (user === null) return <LoginPage onLogin={(u) => loadSession().then(() => setUser(u))} />;
  return (
    <AppShell
      brand="Outpost gateway"
      hash={hash}
      nav={NAV}
      aside={
        <span class="who">
          {user.username} ({user.role}) <LogoutButton logOut={() => post('/ui/api/logout')} />
        </span>
      }
    >
      <Page hash={hash} user={user} />
    </AppShell>
  );
}

render(<App />, document.getElementById('app')!);
