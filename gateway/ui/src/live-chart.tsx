import { useUplot } from '@outpost/web-kit/use-uplot';
import { useEffect } from 'preact/hooks';
import type uPlot from 'uplot';

export interface Point {
  ts: number;
  metrics: Record<string, number>;
}

const COLOURS = ['#0b6bcb', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0f766e'];
const MAX_POINTS = 2000;

/** A uPlot chart of a device's readings, one series per metric; new points are appended in place. */
export function LiveChart({ points, label }: { points: Point[]; label: string }) {
  const names = [...new Set(points.flatMap((p) => Object.keys(p.metrics)))].sort().slice(0, COLOURS.length);
  const key = names.join(',');

  const { box, plot } = useUplot(
    names.map((n, i) => ({ label: n, stroke: COLOURS[i], width: 2 })),
    { height: 260, minWidth: 280 },
    key,
  );

  useEffect(() => {
    const recent = points.slice(-MAX_POINTS);
    const data: uPlot.AlignedData = [recent.map((p) => p.ts / 1000), ...names.map((n) => recent.map((p) => p.metrics[n] ?? null))];
    plot.current?.setData(data);
  }, [points, key]);

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
