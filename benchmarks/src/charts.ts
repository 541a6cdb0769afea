/**
 * SVG charts of a run, rendered headless by Vega (no browser, no canvas):
 * strata-over-peer ratios as bars, and for the pull suite throughput and
 * latency by the number of requests in flight.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Comparison } from './report.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 520;

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * One bar per comparison: strata's figure over its peer's, with a rule at 1
 * (as good as the peer); the colour says who is ahead, whichever way is better for the figure.
 */
export function ratioChart(title: string, comparisons: readonly Comparison[]): Promise<string> {
  const values = comparisons.map((comparison) => ({
    what: `${comparison.measurement}, ${comparison.scenario} (vs ${comparison.peer})`,
    ratio: Number(comparison.ratio.toFixed(3)),
    outcome: (comparison.better === 'lower' ? comparison.ratio <= 1 : comparison.ratio >= 1) ? 'strata ahead' : 'peer ahead',
  }));
  return render({
    $schema: SCHEMA,
    title,
    width: WIDTH,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'what', type: 'nominal', sort: null, title: null, axis: { labelLimit: 0 } },
          x: { field: 'ratio', type: 'quantitative', title: 'strata / peer', scale: { type: 'log' } },
          color: { field: 'outcome', type: 'nominal', scale: { domain: ['strata ahead', 'peer ahead'], range: ['#2f7d4f', '#b5523b'] }, title: null },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { y: { field: 'what', type: 'nominal', sort: null }, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'ratio', type: 'quantitative', format: '.2f' } } },
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 'one', type: 'quantitative' } } },
    ],
  } as TopLevelSpec);
}

export interface SeriesPoint {
  tool: string;
  x: number;
  y: number;
  /** A second series dimension (p50, p99), drawn as the line's dash. */
  series?: string;
}

/** Lines of `y` against `x`, one per tool (and series). */
export function lineChart(title: string, xTitle: string, yTitle: string, points: readonly SeriesPoint[]): Promise<string> {
  return render({
    $schema: SCHEMA,
    title,
    width: WIDTH,
    height: 260,
    data: { values: points.map((point) => ({ ...point, series: point.series ?? '' })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, scale: { type: 'log', base: 2 } },
      y: { field: 'y', type: 'quantitative', title: yTitle },
      color: { field: 'tool', type: 'nominal', title: null },
      strokeDash: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec);
}
