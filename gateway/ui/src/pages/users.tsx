import { useState } from 'preact/hooks';
import { type SessionUser, post } from '../api.js';
import { ago } from '../format.js';
import { usePoll } from '../hooks.js';

interface Account {
  id: number;
  username: string;
  role: string;
  lastLoginAt: number | null;
  lockedUntil: number | null;
}

export function UsersPage({ user }: { user: SessionUser }) {
  if (user.role !== 'admin') {
    return (
      <>
        <h1 tabIndex={-1}>Users</h1>
        <p>Only an admin can see and add users. You are logged in as {user.username} ({user.role}).</p>
      </>
    );
  }
  return <UsersAdmin />;
}

function UsersAdmin() {
  const { data, error, reload } = usePoll<{ users: Account[] }>('/ui/api/users', 0);
  const [message, setMessage] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    try {
      await post('/ui/api/users', { username: String(f.get('username')), password: String(f.get('password')), role: String(f.get('role')) });
      setMessage(`Added ${String(f.get('username'))}.`);
      form.reset();
      reload();
    } catch (err) {
      setMessage((err as Error).message);
    }
  }
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      <section aria-labelledby="add-user">
        <h2 id="add-user">Add a user</h2>
        <form class="inline" onSubmit={submit}>
          <label>
            User name
            <input name="username" required autoComplete="off" />
          </label>
          <label>
            Password
            <input name="password" type="password" required minLength={8} autoComplete="new-password" />
          </label>
          <label>
            Role
            <select name="role">
              <option value="viewer">viewer</option>
              <option value="technician">technician</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <button type="submit">Add user</button>
        </form>
        {message && <p role="status">{message}</p>}
      </section>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Last login</th>
              <th scope="col">Locked</th>
            </tr>
          </thead>
          <tbody>
            {data?.users.map((u) => (
              <tr key={u.id}>
                <td>{u.username}</td>
                <td>{u.role}</td>
                <td>{ago(u.lastLoginAt)}</td>
                <td>{u.lockedUntil && u.lockedUntil > Date.now() ? `until ${new Date(u.lockedUntil).toLocaleTimeString()}` : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
