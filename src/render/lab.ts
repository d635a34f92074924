import asciichart from 'asciichart';
import type { LabPoint, LabReport } from '../explain/lab.js';
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
    `${s.bold('Induction lab')}: a ${c.layers}-layer attention-only transformer (one head per layer, RoPE, no MLP, no norm), ${c.vocab} tokens + BOS, width ${c.width}; batches of ${c.batch} sequences [BOS, x1..xk, x1..xk] with k drawn from ${c.minK} to ${c.maxK} per batch; Adam, lr ${c.lr}; seed ${c.seed}; ${r.interrupted ? `stopped (Ctrl-C) after ${r.stepsRun} of ${c.steps} steps` : `${c.steps} steps`} in ${fixed(r.seconds, 1)} s.`,
    `Loss on ${c.evalSequences} held-out sequences (k = ${c.evalK}): first copy (upper line, random: stays near ln ${c.vocab} = ${fixed(r.uniformLoss, 2)}) and repeated copy (lower line, falls once induction works):`,
    labChart(r.points, s.width),
    r.phase
      ? s.green(
          `Phase change: the repeated copy's loss fell below ½ ln ${c.vocab} = ${fixed(r.threshold, 3)} at step ${r.phase.step} (${fixed(r.phase.seconds, 1)} s).`,
        )
      : s.yellow(
          `No phase change in ${r.stepsRun} steps: the repeated copy's loss stayed above ½ ln ${c.vocab} = ${fixed(r.threshold, 3)} (${fixed(lastPoint.repeatedHalf, 3)} at the end)${c.layers === 1 ? ' — a 1-layer model cannot learn induction: it needs a previous-token head in an earlier layer to compose with' : ''}.`,
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

export { renderLabHtml } from './html/lab.js';
