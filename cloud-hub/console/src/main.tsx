import 'uplot/dist/uPlot.min.css';
import '@outpost/web-kit/base.css';
import './app.css';
import { AppShell, LogoutButton, useFocusHeading, useHash } from '@outpost/web-kit/app-shell';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type Session, loadSession, post } from './api.js';
import { AlertsPage } from './pages/alerts.js';
import { FederationDetailPage, FederationsPage } from './pages/federations.js';
import { FleetPage } from './pages/fleet.js';
import { GatewayDetailPage } from './pages/gateway-detail.js';
import { LoginPage } from './pages/login.js';
import { TokensPage } from './pages/tokens.js';

const NAV = [
  ['#/', 'Fleet'],
  ['#/alerts', 'Alerts'],
  ['#/federations', 'Federated learning'],
  ['#/tokens', 'Enrollment'],
] as const;

function Page({ hash }: { hash: string }) {
  const gateway = /^#\/gateways\/(.+)$/.exec(hash);
  if (gateway) return <GatewayDetailPage id={decodeURIComponent(gateway[1]!)} />;
  const federation = /^#\/federations\/(.+)$/.exec(hash);
  if (federation) return <FederationDetailPage id={decodeURIComponent(federation[1]!)} />;
  switch (hash) {
    case '#/alerts':
      return <AlertsPage />;
    case '#/tokens':
      return <TokensPage />;
    case '#/federations':
      return <FederationsPage />;
    default:
      return <FleetPage />;
  }
}

function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const hash = useHash();
  const refresh = () => loadSession().then(setSession, () => setSession({ authenticated: false, role: null, tenantId: null }));
  useEffect(() => {
    void refresh();
  }, []);
  useFocusHeading([hash, session?.authenticated]);
  if (session === undefined) return <p>Loading…</p>;
  if (!session.authenticated)
    return (
      <LoginPage
        onLogin={() => {
          if (hash === '#/login') location.hash = '#/';
          void refresh();
        }}
      />
    );
  const who = (
    <span class="who" data-testid="signed-in-as">
      {session.tenantId ?? 'all tenants'} · {session.role ?? 'unknown role'}
    </span>
  );
  return (
    <AppShell
      brand="Outpost ops console"
      hash={hash}
      nav={NAV}
      navExtra={<a href="/api/docs/">API docs</a>}
      aside={
        <>
          {who}
          <LogoutButton logOut={() => post('/console/api/logout')} />
        </>
      }
    >
      <Page hash={hash} />
    </AppShell>
  );
}

render(<App />, document.getElementById('app')!);
