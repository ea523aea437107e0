import 'uplot/dist/uPlot.min.css';
import './app.css';
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

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

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
  useEffect(() => {
    // Move focus to the page heading on navigation, for keyboard and screen-reader users.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [hash, user]);
  if (user === undefined) return <p>Loading…</p>;
  if (user === null) return <LoginPage onLogin={(u) => loadSession().then(() => setUser(u))} />;
  const active = NAV.find(([href]) => href !== '#/' && hash.startsWith(href))?.[0] ?? '#/';
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Outpost gateway</span>
        <nav aria-label="Main">
          {NAV.map(([href, label]) => (
            <a href={href} aria-current={href === active ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {user.username} ({user.role}){' '}
          <button
            type="button"
            onClick={() =>
              post('/ui/api/logout').then(() => {
                location.hash = '#/';
                location.reload();
              })
            }
          >
            Log out
          </button>
        </span>
      </header>
      <main id="main">
        <Page hash={hash} user={user} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
