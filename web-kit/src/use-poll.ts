import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type ApiClient } from './api-client.js';

export interface Poll<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/** The UI's `usePoll`, bound to its API client. */
export function createUsePoll(client: Pick<ApiClient, 'get'>) {
  /** GET a path now and every `everyMs` (0: once); `reload` fetches again at once. A lost session reloads the page. */
  return function usePoll<T>(path: string, everyMs = 5000): Poll<T> {
    const [data, setData] = useState<T | null>(null);
    const [error, setError] = useState<string | null>(null);
    const reload = useCallback(() => {
      client.get<T>(path).then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) location.reload();
          setError(err instanceof Error ? err.message : String(err));
        },
      );
    }, [path]);
    useEffect(() => {
      reload();
      if (!everyMs) return;
      const timer = setInterval(reload, everyMs);
      return () => clearInterval(timer);
    }, [reload, everyMs]);
    return { data, error, reload };
  };
}
