import type { ComponentChildren } from 'preact';

/** "critical" in red, "warning" in amber, anything else plain. */
export function SeverityBadge({ severity }: { severity: string }) {
  return <span class={`badge ${severity === 'critical' ? 'bad' : severity === 'warning' ? 'warn' : ''}`}>{severity}</span>;
}

/** One alert in a `ul.alerts` list, marked for the browser tests by `data-alert-id`. */
export function AlertItem({ alertId, severity, children }: { alertId: string; severity: string; children: ComponentChildren }) {
  return (
    <li class={`alert ${severity}`} data-testid="alert" data-alert-id={alertId}>
      {children}
    </li>
  );
}

const SEVERITIES = ['', 'critical', 'warning', 'info'];

export interface AlertFiltersProps {
  severity: string;
  onSeverity: (severity: string) => void;
  device: string;
  onDevice: (device: string) => void;
  deviceMaxLength?: number;
  /** Filters of the UI's own, before severity and device. */
  children?: ComponentChildren;
}

/** The alert list's filter bar: the UI's own filters, then severity and device; it filters as you type. */
export function AlertFilters({ severity, onSeverity, device, onDevice, deviceMaxLength, children }: AlertFiltersProps) {
  return (
    <form class="inline filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter alerts">
      {children}
      <label>
        Severity
        <select value={severity} onChange={(e) => onSeverity((e.currentTarget as HTMLSelectElement).value)}>
          {SEVERITIES.map((value) => (
            <option value={value}>{value || 'any'}</option>
          ))}
        </select>
      </label>
      <label>
        Device
        <input type="search" value={device} maxLength={deviceMaxLength} onInput={(e) => onDevice((e.currentTarget as HTMLInputElement).value)} />
      </label>
    </form>
  );
}
