import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { time } from '../format.js';

const TTLS = [
  ['3600000', '1 hour'],
  ['86400000', '1 day'],
  ['604800000', '7 days'],
  ['2592000000', '30 days'],
] as const;
const DEFAULT_TTL_MS = '86400000';

export function TokensPage() {
  const [created, setCreated] = useState<{ token: string; expiresAt: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  async function create(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setError(null);
    setCopied(null);
    try {
      setCreated(await post<{ token: string; expiresAt: number }>('/api/v1/enrollment-tokens', { ttlMs: Number(form.get('ttl')) }));
    } catch (err) {
      setError((err as Error).message);
    }
  }
  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard (plain HTTP on another host): select the text so Ctrl-C works.
      const el = document.getElementById('new-token');
      if (el) getSelection()?.selectAllChildren(el);
      setCopied('The browser refused the clipboard: the token is selected, press Ctrl-C.');
    }
  }
  return (
    <>
      <h1 tabIndex={-1}>Enrollment tokens</h1>
      <p>A gateway enrolls once with a token (<code>OUTPOST_GW_SYNC_ENROLLMENT_TOKEN</code>) and gets its own credential. Each token works once.</p>
      <form class="inline" onSubmit={create} aria-label="Create an enrollment token">
        <label>
          Valid for
          <select name="ttl">
            {TTLS.map(([ms, label]) => (
              <option value={ms} selected={ms === DEFAULT_TTL_MS}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create token</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {created && (
        <section class="credentials" aria-labelledby="token-heading">
          <h2 id="token-heading">New enrollment token</h2>
          <p>
            <strong>Shown once.</strong> Copy it now: the hub keeps only its hash.
          </p>
          <dl>
            <dt>Token</dt>
            <dd>
              <code id="new-token" data-testid="new-token">
                {created.token}
              </code>
            </dd>
            <dt>Expires</dt>
            <dd>{time(created.expiresAt)}</dd>
          </dl>
          <button type="button" onClick={() => void copy()}>
            Copy token
          </button>
          {copied && <p role="status">{copied}</p>}
        </section>
      )}
      <h2>Existing tokens</h2>
      <p class="hint">
        The hub stores only a hash of each token, so it cannot list them or show one again. An unused token expires on its own; a used one never works
        twice. To stop a gateway that enrolled, revoke it on its page.
      </p>
    </>
  );
}
