import { compileDeviceMatcher } from './device-match.js';
import type { ComparisonOp, Condition, Rule } from './rule-schema.js';
import { createWindowState, type WindowState } from './window-state.js';

/** A rule whose condition held long enough on one device: the pipeline turns it into an alert (after cooldown). */
export interface RuleHit {
  rule: Rule;
  deviceId: string;
  ts: number;
  readingId: number;
  /** The first condition leaf that held: its metric, the value it saw, and the rule's value. */
  metric: string;
  observed: number;
  threshold: number;
}

export interface RuleReading {
  id: number;
  deviceId: string;
  ts: number;
  metrics: Readonly<Record<string, number>>;
}

type Node =
  | { kind: 'threshold'; metric: string; op: ComparisonOp; value: number }
  | { kind: 'window'; slot: number; metric: string; op: ComparisonOp; value: number }
  | { kind: 'any' | 'all'; children: Node[] };

type CompiledRule = { rule: Rule; root: Node; windows: { metric: string; create: () => WindowState }[]; matches: (deviceId: string) => boolean };

type RuleState = { windows: WindowState[]; trueSince: number | null; fired: boolean };
type DeviceState = { now: number; lastValues: Map<string, number>; rules: Map<CompiledRule, RuleState> };

const compare = (a: number, op: ComparisonOp, b: number): boolean =>
  op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : op === '<=' ? a <= b : op === '==' ? a === b : a !== b;

function compile(rule: Rule): CompiledRule {
  const windows: CompiledRule['windows'] = [];
  const walk = (c: Condition): Node => {
    if (c.kind === 'threshold') return { kind: 'threshold', metric: c.metric, op: c.op, value: c.value };
    if (c.kind === 'window') {
      windows.push({ metric: c.metric, create: () => createWindowState(c.window, c.aggregate) });
      return { kind: 'window', slot: windows.length - 1, metric: c.metric, op: c.op, value: c.value };
    }
    return { kind: c.kind, children: c.conditions.map(walk) };
  };
  return { rule, root: walk(rule as Condition), windows, matches: compileDeviceMatcher(rule.devices) };
}

type Leaf = { metric: string; observed: number; threshold: number };

function evaluate(node: Node, state: RuleState, device: DeviceState): Leaf | null {
  switch (node.kind) {
    case 'threshold': {
      const v = device.lastValues.get(node.metric);
      return v !== undefined && compare(v, node.op, node.value) ? { metric: node.metric, observed: v, threshold: node.value } : null;
    }
    case 'window': {
      const v = state.windows[node.slot]!.value();
      return v !== null && compare(v, node.op, node.value) ? { metric: node.metric, observed: v, threshold: node.value } : null;
    }
    case 'any': {
      for (const child of node.children) {
        const hit = evaluate(child, state, device);
        if (hit) return hit;
      }
      return null;
    }
    case 'all': {
      let first: Leaf | null = null;
      for (const child of node.children) {
        const hit = evaluate(child, state, device);
        if (!hit) return null;
        first ??= hit;
      }
      return first;
    }
  }
}

/**
 * Evaluates rules on each device's readings, in arrival order, on reading time (never wall time): a
 * device's clock that steps back is held at the latest time seen, so windows and `forAtLeastMs` never run
 * backwards. A threshold condition compares the metric's latest value; a window condition its window's
 * aggregate. A rule fires once per episode: when its condition has held for `forAtLeastMs`; it fires again
 * only after the condition was false at least once (cooldown applies on top, in the pipeline).
 *
 * Bounded: state is kept for at most `maxDevices` devices, the least recently seen forgotten first; per
 * device and rule, one state per window condition (see RULE_LIMITS for each window's bound).
 */
export class RuleEngine {
  private readonly rules: CompiledRule[];
  private readonly devices = new Map<string, DeviceState>();
  evictedDevices = 0;

  constructor(
    rules: readonly Rule[],
    private readonly maxDevices = 50_000,
  ) {
    this.rules = rules.map(compile);
  }

  get size(): number {
    return this.rules.length;
  }

  evaluate(reading: RuleReading): RuleHit[] {
    if (this.rules.length === 0) return [];
    const device = this.deviceState(reading.deviceId, reading.ts);
    device.now = Math.max(device.now, reading.ts);
    const now = device.now;
    for (const [metric, value] of Object.entries(reading.metrics)) device.lastValues.set(metric, value);
    const hits: RuleHit[] = [];
    for (const compiled of this.rules) {
      if (!compiled.matches(reading.deviceId)) continue;
      let state = device.rules.get(compiled);
      if (!state) device.rules.set(compiled, (state = { windows: compiled.windows.map((w) => w.create()), trueSince: null, fired: false }));
      compiled.windows.forEach((w, i) => {
        const value = reading.metrics[w.metric];
        if (value === undefined) state.windows[i]!.advance(now);
        else state.windows[i]!.add(now, value);
      });
      const leaf = evaluate(compiled.root, state, device);
      if (!leaf) {
        state.trueSince = null;
        state.fired = false;
        continue;
      }
      state.trueSince ??= now;
      if (state.fired || now - state.trueSince < (compiled.rule.forAtLeastMs ?? 0)) continue;
      state.fired = true;
      hits.push({ rule: compiled.rule, deviceId: reading.deviceId, ts: reading.ts, readingId: reading.id, ...leaf });
    }
    return hits;
  }

  /** Sliding-window points that left early because a window was full, over all devices (for the status). */
  overflowedPoints(): number {
    let total = 0;
    for (const device of this.devices.values()) for (const state of device.rules.values()) for (const w of state.windows) total += w.overflowed;
    return total;
  }

  private deviceState(deviceId: string, ts: number): DeviceState {
    let device = this.devices.get(deviceId);
    if (device) {
      this.devices.delete(deviceId); // re-insert: the Map's order is least recently seen first
    } else {
      device = { now: ts, lastValues: new Map(), rules: new Map() };
      if (this.devices.size >= this.maxDevices) {
        this.devices.delete(this.devices.keys().next().value!);
        this.evictedDevices++;
      }
    }
    this.devices.set(deviceId, device);
    return device;
  }
}
