import asciichart from 'asciichart';
import type { LabPoint, LabReport } from '../explain/lab.js';
import { escapeHtml, page } from './html.js';
import { fitToWidth } from './layout.js';
import { fixed, makeStyle, type Style } from './style.js';
import { indentedTable } from './table.js';

/** Rows of the scores table, at most (about). */
const TABLE_ROWS = 10;

/** Rows of the chart: loss is between 0 and a little over ln V. */
const CHART_HEIGHT = 10;

/** The two evaluation losses over training, first copy and repeated copy, as one chart. */
export function labChart(points: readonly LabPoint[], width: number): string {
  // One column per point, at most what fits beside the axis labels.
  const room = Math.max(10, width - 12);
  const step = Math.max(1, Math.ceil(points.length / room));
  const pick = points.filter((_, i) => i % step === 0);
  if (pick.length < 2) return '';
  return asciichart
    .plot([pick.map((p) => p.firstHalf), pick.map((p) => p.repeatedHalf)], {
      height: CHART_HEIGHT,
      format: (x: number) => fixed(x, 2).padStart(6),
    })
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

export function renderLabReport(r: LabReport, s: Style): string {
  const c = r.config;
  const every = r.points.length > 1 ? r.points[1]!.step - r.points[0]!.step : (r.points[0]?.step ?? 0);
  const shown = r.points.filter((p, i) => i === r.points.length - 1 || p.step % (every * 4) === 0);
  const lastPoint = r.points.at(-1)!;
  return [
    `${s.bold('Induction lab')}: a ${c.layers}-layer attention-only transformer (one head per layer, RoPE, no MLP, no norm), ${c.vocab} tokens + BOS, width ${c.width}; batches of ${c.batch} sequences [BOS, x1..xk, x1..xk] with k drawn from ${c.minK} to ${c.maxK} per batch; Adam, lr ${c.lr}; seed ${c.seed}; ${c.steps} steps in ${fixed(r.seconds, 1)} s.`,
    `Loss on ${c.evalSequences} held-out sequences (k = ${c.evalK}): first copy (upper line, random: stays near ln ${c.vocab} = ${fixed(r.uniformLoss, 2)}) and repeated copy (lower line, falls once induction works):`,
    labChart(r.points, s.width),
    r.phase
      ? s.green(
          `Phase change: the repeated copy's loss fell below ½ ln ${c.vocab} = ${fixed(r.threshold, 3)} at step ${r.phase.step} (${fixed(r.phase.seconds, 1)} s).`,
        )
      : s.yellow(
          `No phase change in ${c.steps} steps: the repeated copy's loss stayed above ½ ln ${c.vocab} = ${fixed(r.threshold, 3)} (${fixed(lastPoint.repeatedHalf, 3)} at the end)${c.layers === 1 ? ' — a 1-layer model cannot learn induction: it needs a previous-token head in an earlier layer to compose with' : ''}.`,
        ),
    s.bold('Head scores over training') + ' (previous-token and induction, TransformerLens definitions):',
    indentedTable(
      s,
      ['step', 'first', 'repeated', ...r.final.induction.flatMap((_, l) => [`L${l} prev`, `L${l} ind`])],
      shown.map((p) => [
        String(p.step),
        fixed(p.firstHalf, 3),
        fixed(p.repeatedHalf, 3),
        ...p.previous.flatMap((x, l) => [fixed(x, 2), fixed(p.induction[l]!, 2)]),
      ]),
      ['right', 'right', 'right', ...r.final.induction.flatMap(() => ['right' as const, 'right' as const])],
    ),
    ...r.composition.map((k) => {
      const i = r.final.inductionLayer;
      const line = `Knocking out layer ${k.knockedOut}'s head: layer ${i}'s induction score ${fixed(r.final.induction[i]!, 2)} → ${fixed(k.induction[i]!, 2)}, repeated-copy loss ${fixed(lastPoint.repeatedHalf, 3)} → ${fixed(k.repeatedHalf, 3)}.`;
      return k.destroys
        ? `${line} ${s.green(`The layer-${i} induction head composes with the layer-${k.knockedOut} previous-token head (score ${fixed(r.final.previous[k.knockedOut]!, 2)}).`)}`
        : `${line} The induction score survives without it.`;
    }),
  ].join('\n\n');
}

/** Columns of the text the page shows under the chart. */
const TEXT_WIDTH = 100;

/** SVG size of the loss chart, in CSS pixels. */
const SVG = { width: 720, height: 260, pad: 40 } as const;

/** The lab as one page: the two losses with the phase change marked, the scores over training, the composition. */
export function renderLabHtml(r: LabReport): string {
  const text = fitToWidth(renderLabReport(r, makeStyle(false, {}, TEXT_WIDTH)), TEXT_WIDTH);
  const maxLoss = Math.max(...r.points.flatMap((p) => [p.firstHalf, p.repeatedHalf]));
  const lastStep = r.points.at(-1)!.step;
  const x = (step: number) => SVG.pad + ((SVG.width - 2 * SVG.pad) * step) / lastStep;
  const y = (loss: number) => SVG.height - SVG.pad - ((SVG.height - 2 * SVG.pad) * loss) / maxLoss;
  const line = (pick: (p: LabPoint) => number, colour: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${r.points.map((p) => `${fixed(x(p.step), 1)},${fixed(y(pick(p)), 1)}`).join(' ')}"/>`;
  const phase = r.phase
    ? `<line x1="${fixed(x(r.phase.step), 1)}" x2="${fixed(x(r.phase.step), 1)}" y1="${SVG.pad}" y2="${SVG.height - SVG.pad}" stroke="#888" stroke-dasharray="4 4"/><text x="${fixed(x(r.phase.step) + 4, 1)}" y="${SVG.pad + 12}" font-size="12">phase change, step ${r.phase.step}</text>`
    : '';
  const threshold = `<line x1="${SVG.pad}" x2="${SVG.width - SVG.pad}" y1="${fixed(y(r.threshold), 1)}" y2="${fixed(y(r.threshold), 1)}" stroke="#ccc"/><text x="${SVG.width - SVG.pad - 90}" y="${fixed(y(r.threshold) - 4, 1)}" font-size="11">½ ln ${r.config.vocab}</text>`;
  const svg = `<svg width="${SVG.width}" height="${SVG.height}" role="img" aria-label="loss over training"><rect x="0" y="0" width="${SVG.width}" height="${SVG.height}" fill="#fff"/>${threshold}${phase}${line((p) => p.firstHalf, '#3b528b')}${line((p) => p.repeatedHalf, '#e6550d')}<text x="${SVG.pad}" y="${SVG.height - 10}" font-size="12">step 0</text><text x="${SVG.width - SVG.pad - 60}" y="${SVG.height - 10}" font-size="12">step ${lastStep}</text><text x="4" y="${SVG.pad}" font-size="12">${fixed(maxLoss, 2)}</text><text x="4" y="${SVG.height - SVG.pad}" font-size="12">0</text></svg>`;
  return page(
    'microgpt: the induction lab',
    `<p><span style="color:#3b528b">■</span> first copy (random) <span style="color:#e6550d">■</span> repeated copy</p>${svg}<pre>${escapeHtml(text)}</pre>`,
  );
}
