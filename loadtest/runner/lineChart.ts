/** A small SVG line chart: one polyline per series over seconds, a log or linear y axis, a legend. */

export interface Series {
  name: string;
  /** y by second; undefined where the series has no value (a step with no request that second). */
  values: Array<number | undefined>;
}

export interface ChartOptions {
  title: string;
  yLabel: string;
  logScale?: boolean;
  /** Dashed horizontal lines, such as a target. */
  marks?: Array<{ label: string; y: number }>;
}

const WIDTH = 960;
const HEIGHT = 360;
const MARGIN = { left: 60, right: 190, top: 30, bottom: 40 };

function escape(text: string): string {
  return text.replace(/[<>&"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[character] as string);
}

/** Distinct hues, spread so that neighbours in the legend differ. */
function colour(index: number, count: number): string {
  return `hsl(${Math.round(((index * 7) % Math.max(count, 1)) * (360 / Math.max(count, 1)))}, 65%, 42%)`;
}

function yScale(values: number[], logScale: boolean): { toY: (value: number) => number; ticks: number[] } {
  const plot = HEIGHT - MARGIN.top - MARGIN.bottom;
  if (logScale) {
    const top = Math.max(1, Math.ceil(Math.log10(Math.max(1, ...values))));
    const ticks = Array.from({ length: top + 1 }, (_, power) => 10 ** power);
    return { toY: (value) => MARGIN.top + plot * (1 - Math.log10(Math.max(1, value)) / top), ticks };
  }
  const max = Math.max(1, ...values);
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return { toY: (value) => MARGIN.top + plot * (1 - value / top), ticks };
}

export function lineChart(series: Series[], options: ChartOptions): string {
  const seconds = Math.max(1, ...series.map((each) => each.values.length));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const toX = (second: number) => MARGIN.left + (plotWidth * second) / Math.max(1, seconds - 1);
  const values = series.flatMap((each) => each.values.filter((value): value is number => value !== undefined));
  const { toY, ticks } = yScale([...values, ...(options.marks ?? []).map((mark) => mark.y)], options.logScale ?? false);
  const bottom = HEIGHT - MARGIN.bottom;
  const parts: string[] = [];
  parts.push(`<text x="${MARGIN.left}" y="18" font-weight="bold">${escape(options.title)}</text>`);
  for (const tick of ticks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${toY(tick)}" y2="${toY(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${toY(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  const xStep = Math.max(1, Math.ceil(seconds / 10));
  for (let second = 0; second < seconds; second += xStep) {
    parts.push(`<text x="${toX(second)}" y="${bottom + 16}" text-anchor="middle">${second}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle">seconds into the load</text>`);
  parts.push(`<text transform="translate(14 ${MARGIN.top + (bottom - MARGIN.top) / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  for (const mark of options.marks ?? []) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${toY(mark.y)}" y2="${toY(mark.y)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${MARGIN.left + plotWidth - 4}" y="${toY(mark.y) - 4}" text-anchor="end" fill="#c00">${escape(mark.label)}</text>`);
  }
  series.forEach((each, index) => {
    const stroke = colour(index, series.length);
    // A gap in the data (no request of the step that second) breaks the line rather than bridging it.
    const runs: string[][] = [[]];
    each.values.forEach((value, second) => {
      if (value === undefined) runs.push([]);
      else runs[runs.length - 1].push(`${toX(second).toFixed(1)},${toY(value).toFixed(1)}`);
    });
    for (const points of runs.filter((run) => run.length > 0)) {
      parts.push(`<polyline data-series="${escape(each.name)}" fill="none" stroke="${stroke}" stroke-width="1.5" points="${points.join(' ')}"/>`);
      // A second with neighbours on neither side is no line at all: a dot, so a rare step still shows.
      if (points.length === 1) {
        const [x, y] = points[0].split(',');
        parts.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${stroke}"/>`);
      }
    }
    const legendY = MARGIN.top + index * 16;
    parts.push(`<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 30}" y1="${legendY}" y2="${legendY}" stroke="${stroke}" stroke-width="3"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 36}" y="${legendY + 4}">${escape(each.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}
