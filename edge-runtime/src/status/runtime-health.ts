export type RuntimeState = 'starting' | 'ready' | 'degraded' | 'stopping';

const MAX_DETAIL_CHARS = 512;

/**
 * What the runtime status says, assembled from named conditions. States:
 *   starting  → until start() finished (config, state restore, models, broker);
 *   ready     → serving, no degrading condition;
 *   degraded  → serving, but some condition degrades it (a model rolled back or failing, the broker down);
 *   stopping  → close() began; final.
 * A condition may also be informational (a refused model offer while the old model serves): it shows in
 * `detail` without changing the state. `onChange` fires whenever state, models or detail change.
 */
export class RuntimeHealth {
  private phase: 'starting' | 'running' | 'stopping' = 'starting';
  private readonly conditions = new Map<string, { degraded: boolean; detail: string; at: number }>();
  private modelVersions: string[] = [];
  private last = '';

  constructor(private readonly onChange: () => void = () => {}) {}

  started(): void {
    if (this.phase === 'starting') this.phase = 'running';
    this.changed();
  }

  stopping(): void {
    this.phase = 'stopping';
    this.changed();
  }

  set(name: string, condition: { degraded: boolean; detail: string }): void {
    this.conditions.set(name, { ...condition, at: Date.now() });
    this.changed();
  }

  clear(name: string): void {
    if (this.conditions.delete(name)) this.changed();
  }

  has(name: string): boolean {
    return this.conditions.has(name);
  }

  setModels(versions: string[]): void {
    this.modelVersions = [...versions].sort();
    this.changed();
  }

  get state(): RuntimeState {
    if (this.phase === 'starting') return 'starting';
    if (this.phase === 'stopping') return 'stopping';
    return [...this.conditions.values()].some((c) => c.degraded) ? 'degraded' : 'ready';
  }

  /** The models serving, comma-separated (`ae-temperature@1.0.0,ae-humidity@1.1.0`), cut to the protocol's 128 characters. */
  get modelVersion(): string | undefined {
    if (this.modelVersions.length === 0) return undefined;
    const text = this.modelVersions.join(',');
    return text.length > 128 ? `${text.slice(0, 127)}…` : text;
  }

  /** Degrading conditions first, newest first within each kind; cut to the protocol's 512 characters. */
  get detail(): string | undefined {
    const entries = [...this.conditions.values()].sort((a, b) => Number(b.degraded) - Number(a.degraded) || b.at - a.at);
    if (entries.length === 0) return this.modelVersions.length === 0 && this.phase === 'running' ? 'no model loaded: online detector and rules only' : undefined;
    const text = entries.map((c) => c.detail).join('; ');
    return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS - 1)}…` : text;
  }

  private changed(): void {
    const now = JSON.stringify([this.state, this.modelVersion, this.detail]);
    if (now === this.last) return;
    this.last = now;
    this.onChange();
  }
}
