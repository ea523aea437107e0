import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** The location hash (`#/` when empty), following navigation. */
export function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** Move focus to the page heading whenever `deps` change (navigation, login), for keyboard and screen-reader users. */
export function useFocusHeading(deps: unknown[]): void {
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, deps);
}

/** Run the UI's logout call, then reload at the start page (the login form). */
export function LogoutButton({ logOut }: { logOut: () => Promise<unknown> }) {
  return (
    <button
      type="button"
      onClick={() =>
        logOut().then(() => {
          location.hash = '#/';
          location.reload();
        })
      }
    >
      Log out
    </button>
  );
}

export interface AppShellProps {
  brand: string;
  hash: string;
  /** `[href, label]` pairs; `#/` is the start page and is active only when nothing else matches. */
  nav: readonly (readonly [string, string])[];
  /** Links after the nav's own (not tracked as the active page). */
  navExtra?: ComponentChildren;
  /** What sits right of the nav: the user and a logout button. */
  aside: ComponentChildren;
  children: ComponentChildren;
}

/** Skip link, top bar with brand, nav and aside, and the main landmark. */
export function AppShell({ brand, hash, nav, navExtra, aside, children }: AppShellProps) {
  const active = nav.find(([href]) => href !== '#/' && hash.startsWith(href))?.[0] ?? '#/';
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">{brand}</span>
        <nav aria-label="Main">
          {nav.map(([href, label]) => (
            <a href={href} aria-current={href === active ? 'page' : undefined}>
              {label}
            </a>
          ))}
          {navExtra}
        </nav>
        {aside}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
