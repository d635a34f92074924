/**
 * Line charts as inline SVG: axes with round ticks, reference lines, marks,
 * a legend, and the values at the step under the pointer (read by CHART_SCRIPT
 * from the chart's data attribute).
 */
import { fixed } from '../style.js';
import { escapeHtml as e } from './page.js';
import { scriptJson } from '../json.js';

export interface ChartSeries {
  name: string;
  colour: string;
  values: readonly number[];
  dashed?: boolean;
}

export interface ChartOptions {
  /** What the chart shows, for screen readers. */
  title: string;
  xs: readonly number[];
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** The y axis spans yMin..yMax at least (extended to the data and to a round tick). */
  yMin: number;
  yMax: number;
  /** Horizontal reference lines. */
  levels?: ReadonlyArray<{ y: number; label: string }>;
  /** Vertical marks at an x. */
  marks?: ReadonlyArray<{ x: number; label: string }>;
  /** Decimals of the values read under the pointer. */
  digits: number;
}

/** The chart's size and the plot area's margins, in CSS pixels. */
const SIZE = { width: 760, height: 300, left: 56, right: 20, top: 14, bottom: 42 } as const;
/** About this many ticks an axis. */
const TICKS = 6;

/** Round tick values covering lo..hi: a step of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, target = TICKS): { values: number[]; digits: number } {
  const raw = (hi - lo) / target || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  const values = Array.from({ length: last - first + 1 }, (_, i) => (first + i) * step);
  return { values, digits: Math.max(0, -Math.floor(Math.log10(step))) };
}

export const CHART_STYLE = `
.chart{margin:.4rem 0 1rem}.chart svg{display:block;max-width:100%;height:auto;font:12px system-ui,sans-serif}
.chart .axis{stroke:#999}.chart .grid{stroke:#eee}.chart .ref{stroke:#aaa;stroke-dasharray:2 3}.chart .mark{stroke:#777;stroke-dasharray:5 4}
.chart .guide{stroke:#222;stroke-opacity:.35}
.chart-legend{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;font-size:13px;margin:.2rem 0}
.chart-legend svg{vertical-align:middle;margin-right:.3rem}
`;

/** Moves each chart's guide to the step under the pointer and reads that step's values into #hover. */
export const CHART_SCRIPT = `
(() => {
  const hover = document.getElementById('hover');
  for (const svg of document.querySelectorAll('svg[data-chart]')) {
    const c = JSON.parse(svg.dataset.chart);
    const guide = svg.querySelector('.guide');
    svg.addEventListener('mousemove', (ev) => {
      const r = svg.getBoundingClientRect();
      const x = ((ev.clientX - r.left) * c.width) / r.width;
      const step = c.x0 + ((x - c.left) * (c.x1 - c.x0)) / c.plot;
      let best = 0;
      c.xs.forEach((v, i) => { if (Math.abs(v - step) < Math.abs(c.xs[best] - step)) best = i; });
      const px = c.left + ((c.xs[best] - c.x0) * c.plot) / (c.x1 - c.x0);
      guide.setAttribute('x1', px);
      guide.setAttribute('x2', px);
      guide.setAttribute('visibility', 'visible');
      hover.textContent = c.xLabel + ' ' + c.xs[best] + ': ' + c.series.map((s) => s.name + ' ' + s.values[best].toFixed(c.digits)).join(' · ');
    });
  }
})();
`;

const dash = (dashed?: boolean) => (dashed ? ' stroke-dasharray="6 4"' : '');

/** One swatch and name per series, above the chart. */
function legend(series: readonly ChartSeries[]): string {
  return `<div class="chart-legend">${series
    .map(
      (s) =>
        `<span><svg width="26" height="10" aria-hidden="true"><line x1="1" y1="5" x2="25" y2="5" stroke="${s.colour}" stroke-width="3"${dash(s.dashed)}/></svg>${e(s.name)}</span>`,
    )
    .join('')}</div>`;
}

export function lineChart(o: ChartOptions): string {
  const { width, height, left, right, top, bottom } = SIZE;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x0 = 0;
  const xt = ticks(x0, Math.max(...o.xs));
  const x1 = xt.values.at(-1)!;
  const all = o.series.flatMap((s) => s.values);
  const yt = ticks(Math.min(o.yMin, ...all), Math.max(o.yMax, ...all));
  const y0 = yt.values[0]!;
  const y1 = yt.values.at(-1)!;
  const X = (x: number) => fixed(left + ((x - x0) * plotW) / (x1 - x0), 1);
  const Y = (y: number) => fixed(top + plotH - ((y - y0) * plotH) / (y1 - y0), 1);
  const bottomY = top + plotH;
  const parts = [
    ...yt.values.map(
      (v) =>
        `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${Y(v)}" y2="${Y(v)}"/><text x="${left - 6}" y="${Y(v)}" text-anchor="end" dominant-baseline="middle">${fixed(v, yt.digits)}</text>`,
    ),
    ...xt.values.map(
      (v) =>
        `<line class="axis" x1="${X(v)}" x2="${X(v)}" y1="${bottomY}" y2="${bottomY + 4}"/><text x="${X(v)}" y="${bottomY + 16}" text-anchor="middle">${fixed(v, xt.digits)}</text>`,
    ),
    `<line class="axis" x1="${left}" x2="${left + plotW}" y1="${bottomY}" y2="${bottomY}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottomY}"/>`,
    `<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle">${e(o.xLabel)}</text>`,
    `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${e(o.yLabel)}</text>`,
    ...(o.levels ?? []).map(
      (l) =>
        `<line class="ref" x1="${left}" x2="${left + plotW}" y1="${Y(l.y)}" y2="${Y(l.y)}"/><text x="${left + plotW - 4}" y="${Y(l.y)}" dy="14" text-anchor="end" fill="#666">${e(l.label)}</text>`,
    ),
    ...(o.marks ?? []).map(
      (m) =>
        `<line class="mark" x1="${X(m.x)}" x2="${X(m.x)}" y1="${top}" y2="${bottomY}"/><text x="${X(m.x)}" dx="4" y="${top + 12}" fill="#444">${e(m.label)}</text>`,
    ),
    ...o.series.map(
      (s) =>
        `<polyline fill="none" stroke="${s.colour}" stroke-width="2"${dash(s.dashed)} points="${o.xs.map((x, i) => `${X(x)},${Y(s.values[i]!)}`).join(' ')}"><title>${e(s.name)}</title></polyline>`,
    ),
    `<line class="guide" x1="0" x2="0" y1="${top}" y2="${bottomY}" visibility="hidden"/>`,
  ];
  const data = {
    width,
    left,
    plot: plotW,
    x0,
    x1,
    xs: o.xs,
    xLabel: o.xLabel,
    digits: o.digits,
    series: o.series.map((s) => ({ name: s.name, values: s.values })),
  };
  return `<div class="chart">${legend(o.series)}<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(o.title)}" data-chart="${e(scriptJson(data))}"><rect width="${width}" height="${height}" fill="#fff"/>${parts.join('')}</svg></div>`;
}
