import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface UplotSize {
  height: number;
  minWidth: number;
  /** Pixels kept free beside the chart inside its box. */
  insetPx?: number;
}

/**
 * A time-series uPlot chart in the returned `box`, sized to it and resized with the window. The chart is
 * made again when `key` changes (the set of series did); feed data with `plot.current?.setData(...)`.
 */
export function useUplot(series: uPlot.Series[], { height, minWidth, insetPx = 0 }: UplotSize, key = ''): { box: RefObject<HTMLDivElement>; plot: RefObject<uPlot | null> } {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const width = () => Math.max(minWidth, el.clientWidth - insetPx);
    const opts: uPlot.Options = { width: width(), height, series: [{}, ...series.map((s) => ({ ...s, points: { show: true, size: 4 } }))], axes: [{}, {}], scales: { x: { time: true } } };
    plot.current = new uPlot(opts, [[], ...series.map(() => [])], el);
    const onResize = () => plot.current?.setSize({ width: width(), height });
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key]);
  return { box, plot };
}
