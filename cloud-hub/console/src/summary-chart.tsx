import { useUplot } from '@outpost/web-kit/use-uplot';
import { useEffect } from 'preact/hooks';

export interface SummaryPoint {
  windowStartMs: number;
  min: number;
  mean: number;
  max: number;
}

const SERIES = [
  { label: 'min', stroke: '#0f766e', width: 1, dash: [4, 4] },
  { label: 'mean', stroke: '#0b6bcb', width: 2 },
  { label: 'max', stroke: '#c2410c', width: 1, dash: [4, 4] },
];

/** A uPlot chart of one metric's window summaries (min, mean, max per window), oldest window first. */
export function SummaryChart({ points, label }: { points: SummaryPoint[]; label: string }) {
  const { box, plot } = useUplot(SERIES, { height: 200, minWidth: 260, insetPx: 16 });

  useEffect(() => {
    plot.current?.setData([points.map((p) => p.windowStartMs / 1000), points.map((p) => p.min), points.map((p) => p.mean), points.map((p) => p.max)]);
  }, [points]);

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
