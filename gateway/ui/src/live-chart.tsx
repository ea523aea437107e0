import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Point {
  ts: number;
  metrics: Record<string, number>;
}

const COLOURS = ['#0b6bcb', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0f766e'];
const MAX_POINTS = 2000;

/** A uPlot chart of a device's readings, one series per metric; new points are appended in place. */
export function LiveChart({ points, label }: { points: Point[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const names = [...new Set(points.flatMap((p) => Object.keys(p.metrics)))].sort().slice(0, COLOURS.length);
  const key = names.join(',');

  useEffect(() => {
    const el = box.current!;
    const width = () => Math.max(280, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 260,
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLOURS[i], width: 2, points: { show: true, size: 4 } }))],
      axes: [{}, {}],
      scales: { x: { time: true } },
    };
    plot.current = new uPlot(opts, [[], ...names.map(() => [])], el);
    const onResize = () => plot.current?.setSize({ width: width(), height: 260 });
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key]);

  useEffect(() => {
    const recent = points.slice(-MAX_POINTS);
    const data: uPlot.AlignedData = [recent.map((p) => p.ts / 1000), ...names.map((n) => recent.map((p) => p.metrics[n] ?? null))];
    plot.current?.setData(data);
  }, [points, key]);

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
