/** A small SVG line chart: one polyline per series over seconds, a log or linear y axis, a legend. */

export interface Series {
  name: string;
  /** y by second; undefined where the series has no value (a step with no request that second). */
  values: Array<number | undefined>;
  /** A fixed colour, such as black for the line a chart is about; else the next of the palette. */
  colour?: string;
  /** Stroke width; a wider line is drawn over the thinner ones. */
  width?: number;
}

export interface ChartOptions {
  title: string;
  yLabel: string;
  logScale?: boolean;
  /** Dashed horizontal lines, such as a target. */
  marks?: Array<{ label: string; y: number }>;
  /** 'small' for a chart laid out beside others: a viewBox about its size on the page, so its text is too. */
  size?: 'full' | 'small';
}

interface Layout {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
  fontSize: number;
  legendSpacing: number;
}

// The viewBox is close to the pixels the page gives a chart (about 1000 for a full one, 480 for a
// small one in two columns), so 12 in the SVG reads as 12 px rather than shrunk to half.
const LAYOUTS: Record<'full' | 'small', Layout> = {
  full: { width: 960, height: 380, margin: { left: 60, right: 190, top: 30, bottom: 40 }, fontSize: 12, legendSpacing: 17 },
  small: { width: 480, height: 260, margin: { left: 50, right: 80, top: 30, bottom: 40 }, fontSize: 12, legendSpacing: 17 },
};

function escape(text: string): string {
  return text.replace(/[<>&"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[character] as string);
}

/** Ten colours told apart on white (d3's category10), with no black: black is kept for a chart's main line. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Once the colours run out, the same colours again with a dash, then a dot: eighteen steps stay apart. */
const DASHES = [undefined, '8 4', '2 3'];

export interface LineStyle {
  stroke: string;
  dash?: string;
}

/** The style of the `index`th series without a colour of its own. */
export function lineStyle(index: number): LineStyle {
  return { stroke: PALETTE[index % PALETTE.length], dash: DASHES[Math.floor(index / PALETTE.length) % DASHES.length] };
}

function yScale(layout: Layout, values: number[], logScale: boolean): { toY: (value: number) => number; ticks: number[] } {
  const { margin } = layout;
  const plot = layout.height - margin.top - margin.bottom;
  if (logScale) {
    const top = Math.max(1, Math.ceil(Math.log10(Math.max(1, ...values))));
    const ticks = Array.from({ length: top + 1 }, (_, power) => 10 ** power);
    return { toY: (value) => margin.top + plot * (1 - Math.log10(Math.max(1, value)) / top), ticks };
  }
  const max = Math.max(1, ...values);
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return { toY: (value) => margin.top + plot * (1 - value / top), ticks };
}

function dashAttribute(dash: string | undefined): string {
  return dash === undefined ? '' : ` stroke-dasharray="${dash}"`;
}

export function lineChart(series: Series[], options: ChartOptions): string {
  const layout = LAYOUTS[options.size ?? 'full'];
  const { width, height, margin } = layout;
  const seconds = Math.max(1, ...series.map((each) => each.values.length));
  const plotWidth = width - margin.left - margin.right;
  const toX = (second: number) => margin.left + (plotWidth * second) / Math.max(1, seconds - 1);
  const values = series.flatMap((each) => each.values.filter((value): value is number => value !== undefined));
  const { toY, ticks } = yScale(layout, [...values, ...(options.marks ?? []).map((mark) => mark.y)], options.logScale ?? false);
  const bottom = height - margin.bottom;
  const parts: string[] = [];
  parts.push(`<text x="${margin.left}" y="18" font-weight="bold" font-size="${layout.fontSize + 1}">${escape(options.title)}</text>`);
  for (const tick of ticks) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${toY(tick)}" y2="${toY(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${toY(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  // Fewer second labels on a small chart: ten of them would run into each other.
  const xStep = Math.max(1, Math.ceil(seconds / (options.size === 'small' ? 6 : 10)));
  for (let second = 0; second < seconds; second += xStep) {
    parts.push(`<text x="${toX(second)}" y="${bottom + 16}" text-anchor="middle">${second}</text>`);
  }
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">seconds into the load</text>`);
  parts.push(`<text transform="translate(14 ${margin.top + (bottom - margin.top) / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  for (const mark of options.marks ?? []) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${toY(mark.y)}" y2="${toY(mark.y)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${margin.left + plotWidth - 4}" y="${toY(mark.y) - 4}" text-anchor="end" fill="#c00">${escape(mark.label)}</text>`);
  }
  let paletteIndex = 0;
  const styled = series.map((each) => ({ each, style: each.colour === undefined ? lineStyle(paletteIndex++) : { stroke: each.colour }, width: each.width ?? 1.5 }));
  // Legend in the order given; lines thinnest first, so a wide line (the chart's main one) stays on top.
  const drawOrder = [...styled].sort((a, b) => a.width - b.width);
  for (const { each, style, width: strokeWidth } of drawOrder) {
    // A gap in the data (no request of the step that second) breaks the line rather than bridging it.
    const runs: string[][] = [[]];
    each.values.forEach((value, second) => {
      if (value === undefined) runs.push([]);
      else runs[runs.length - 1].push(`${toX(second).toFixed(1)},${toY(value).toFixed(1)}`);
    });
    for (const points of runs.filter((run) => run.length > 0)) {
      parts.push(`<polyline data-series="${escape(each.name)}" fill="none" stroke="${style.stroke}" stroke-width="${strokeWidth}"${dashAttribute(style.dash)} points="${points.join(' ')}"/>`);
      // A second with neighbours on neither side is no line at all: a dot, so a rare step still shows.
      if (points.length === 1) {
        const [x, y] = points[0].split(',');
        parts.push(`<circle cx="${x}" cy="${y}" r="${Math.max(2.5, strokeWidth)}" fill="${style.stroke}"/>`);
      }
    }
  }
  styled.forEach(({ each, style, width: strokeWidth }, index) => {
    const legendY = margin.top + index * layout.legendSpacing;
    const legendX = width - margin.right + 10;
    parts.push(`<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${style.stroke}" stroke-width="${Math.max(3, strokeWidth)}"${dashAttribute(style.dash)}/>`);
    parts.push(`<text x="${legendX + 30}" y="${legendY + 4}">${escape(each.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${layout.fontSize}">${parts.join('')}</svg>`;
}
