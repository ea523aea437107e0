import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** Debian's chromium, headless, with a fresh user-data dir (installed by `npm test`'s setup). */
export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'outpost-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface PageRequest {
  /** JSON body for anything but GET; `{}` when absent. */
  body?: unknown;
  /** Send the CSRF token this session endpoint hands out, as the UI does; leave it out to act as a forged request. */
  csrfFrom?: string | null;
}

/** A request from inside the page, as a script on the page (or an attacker's form) would send it. */
export function fetchFromPage(page: Page, method: string, path: string, { body, csrfFrom }: PageRequest = {}): Promise<{ status: number; code: string | null }> {
  return page.evaluate(
    async ([method, path, body, csrfFrom]) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrfFrom) headers['x-csrf-token'] = ((await (await fetch(csrfFrom)).json()) as { csrfToken: string }).csrfToken;
      const res = await fetch(path, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}) });
      const data = (await res.json()) as { error?: { code: string } };
      return { status: res.status, code: data.error?.code ?? null };
    },
    [method, path, body, csrfFrom ?? null] as const,
  );
}
