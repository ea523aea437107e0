import { useState } from 'preact/hooks';
import { type SessionUser, put } from '../api.js';
import { usePoll } from '../hooks.js';

interface Setting {
  key: string;
  label: string;
  group: string;
  secret: boolean;
  restart: boolean;
  type: string;
  running: unknown;
  saved: unknown;
  pendingRestart: boolean;
}

export function SettingsPage({ user }: { user: SessionUser }) {
  const { data, error, reload } = usePoll<{ file: string; settings: Setting[] }>('/ui/api/settings', 0);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const canEdit = user.role === 'admin';
  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const values: Record<string, unknown> = {};
    for (const s of data!.settings) {
      const raw = form.get(s.key);
      if (s.type === 'boolean') values[s.key] = raw === 'on';
      else if (s.secret) {
        if (String(raw ?? '') !== '') values[s.key] = String(raw);
      } else {
        const text = String(raw ?? '').trim();
        values[s.key] = text === '' ? null : s.type === 'number' ? Number(text) : text;
      }
    }
    try {
      await put('/ui/api/settings', { values });
      setMessage({ ok: true, text: 'Saved. The changes apply after the gateway restarts.' });
      reload();
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  }
  const groups = [...new Set(data?.settings.map((s) => s.group) ?? [])];
  return (
    <>
      <h1 tabIndex={-1}>Settings</h1>
      <p class="hint">
        Saved to <code>{data?.file ?? 'settings.json'}</code>. A config file, environment variables and command-line flags override these. Fields marked{' '}
        <span class="badge warn">restart</span> apply after a restart.
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {data && (
        <form onSubmit={submit} class="settings">
          {groups.map((g) => (
            <fieldset key={g} disabled={!canEdit}>
              <legend>{g}</legend>
              {data.settings
                .filter((s) => s.group === g)
                .map((s) => {
                  const id = `setting-${s.key.replace(/\./g, '-')}`;
                  const note = `running: ${s.secret ? (s.running ? 'set' : 'not set') : String(s.running ?? 'not set')}${s.pendingRestart ? ' · saved value differs: restart to apply (or a higher layer overrides it)' : ''}`;
                  return (
                    <div class="field" key={s.key}>
                      <label for={id}>
                        {s.label} {s.restart && <span class="badge warn">restart</span>}
                      </label>
                      {s.type === 'boolean' ? (
                        <input id={id} name={s.key} type="checkbox" defaultChecked={Boolean(s.saved ?? s.running)} aria-describedby={`${id}-note`} />
                      ) : (
                        <input
                          id={id}
                          name={s.key}
                          type={s.secret ? 'password' : s.type === 'number' ? 'number' : 'text'}
                          step="any"
                          placeholder={s.secret ? (s.saved ? 'set; leave empty to keep' : '') : ''}
                          defaultValue={s.secret ? '' : String(s.saved ?? s.running ?? '')}
                          autoComplete="off"
                          aria-describedby={`${id}-note`}
                        />
                      )}
                      <small id={`${id}-note`}>
                        <code>{s.key}</code> · {note}
                      </small>
                    </div>
                  );
                })}
            </fieldset>
          ))}
          {canEdit ? <button type="submit">Save settings</button> : <p class="hint">Only an admin can change settings.</p>}
          {message && (
            <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
        </form>
      )}
    </>
  );
}
