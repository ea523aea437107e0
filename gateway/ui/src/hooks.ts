import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api.js';

/** GET a path now and every `everyMs`; `reload` fetches again at once. */
export function usePoll<T>(path: string, everyMs = 5000) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    get<T>(path).then(
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
}
