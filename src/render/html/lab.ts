/**
 * lab induction --html: the story of the run as a page — the two losses with
 * the phase change marked, the head scores over training, both heads' patterns
 * on a held-out repeated sequence, the knockout — in prose and pictures, no
 * terminal text.
 */
import type { LabReport } from '../../explain/lab.js';
import { fixed } from '../style.js';
import { CHART_SCRIPT, CHART_STYLE, lineChart } from './chart.js';
import { page } from './page.js';
import { legendHtml, tableHeatmap, TABLE_HEATMAP_STYLE, TABLE_HOVER_SCRIPT } from './table-heatmap.js';

/** A colour per layer (viridis' blue, orange, teal, purple): its scores share it. */
const LAYER_COLOURS = ['#3b528b', '#e6550d', '#21918c', '#6a3d9a'];
const layerColour = (l: number) => LAYER_COLOURS[l % LAYER_COLOURS.length]!;

function introHtml(r: LabReport): string {
  const c = r.config;
  return `<p>A ${c.layers}-layer attention-only transformer — one head per layer, RoPE positions, no MLP, no norm; ${c.vocab} tokens and BOS, width ${c.width} — trained for ${r.interrupted ? `${r.stepsRun} of ${c.steps} steps, stopped early (Ctrl-C)` : `${c.steps} steps`} (${fixed(r.seconds, 1)} s, seed ${c.seed}) on batches of ${c.batch} sequences <code>[BOS, x1…xk, x1…xk]</code> of random tokens, k drawn from ${c.minK} to ${c.maxK} for each batch (Adam, learning rate ${c.lr}).</p>
<p>The first copy is random: nothing predicts it. The repeated copy is predictable to a model that finds the earlier occurrence of the current token and copies the token that followed it — an <em>induction head</em>, which needs a head in an earlier layer that marks each position with the token before it.</p>`;
}

function lossHtml(r: LabReport): string {
  const c = r.config;
  const last = r.points.at(-1)!;
  const verdict = r.phase
    ? `The repeated copy's loss fell below ½ ln ${c.vocab} = ${fixed(r.threshold, 3)} at step ${r.phase.step} (${fixed(r.phase.seconds, 1)} s into the run) — the phase change — and ended at ${fixed(last.repeatedHalf, 3)}, while the first copy stayed near ln ${c.vocab} = ${fixed(r.uniformLoss, 2)} (${fixed(last.firstHalf, 3)}).`
    : `No phase change in ${r.stepsRun} steps: the repeated copy's loss stayed above ½ ln ${c.vocab} = ${fixed(r.threshold, 3)} (${fixed(last.repeatedHalf, 3)} at the end)${c.layers === 1 ? ' — a 1-layer model cannot learn induction: its only head would have to find the earlier token and the token after it at once, with no earlier layer to compose with' : ''}.`;
  const chart = lineChart({
    title: 'evaluation loss of the first and the repeated copy over training',
    xs: r.points.map((p) => p.step),
    xLabel: 'step',
    yLabel: 'loss (nats per token)',
    series: [
      { name: 'first copy (random)', colour: LAYER_COLOURS[0]!, values: r.points.map((p) => p.firstHalf) },
      { name: 'repeated copy', colour: LAYER_COLOURS[1]!, values: r.points.map((p) => p.repeatedHalf) },
    ],
    yMin: 0,
    yMax: r.uniformLoss,
    levels: [
      { y: r.uniformLoss, label: `ln ${c.vocab}: a uniform guess` },
      { y: r.threshold, label: `½ ln ${c.vocab}: the threshold` },
    ],
    marks: r.phase ? [{ x: r.phase.step, label: `phase change, step ${r.phase.step}` }] : [],
    digits: 3,
  });
  return `<h2>Loss</h2><p>Mean cross-entropy per predicted token, in nats, on ${c.evalSequences} evaluation sequences with k = ${c.evalK}, for the tokens of each copy.</p>${chart}<p>${verdict}</p>`;
}

function scoresHtml(r: LabReport): string {
  const layers = r.final.induction.map((_, l) => l);
  const chart = lineChart({
    title: "each layer's previous-token and induction scores over training",
    xs: r.points.map((p) => p.step),
    xLabel: 'step',
    yLabel: 'score',
    series: layers.flatMap((l) => [
      {
        name: `L${l} previous-token`,
        colour: layerColour(l),
        dashed: true,
        values: r.points.map((p) => p.previous[l]!),
      },
      { name: `L${l} induction`, colour: layerColour(l), values: r.points.map((p) => p.induction[l]!) },
    ]),
    yMin: 0,
    yMax: 1,
    marks: r.phase ? [{ x: r.phase.step, label: 'phase change' }] : [],
    digits: 2,
  });
  const final = layers
    .map(
      (l) =>
        `layer ${l}'s head scores ${fixed(r.final.previous[l]!, 2)} as a previous-token head and ${fixed(r.final.induction[l]!, 2)} as an induction head`,
    )
    .join('; ');
  return `<h2>Head scores</h2><p>On the same sequences: a head's previous-token score is its mean weight on the token just before each position; its induction score, its mean weight on the token after the earlier copy of the current token (the TransformerLens definitions; about half the positions have no earlier copy, so even a perfect induction head scores well below 1).</p>${chart}<p>At the end, ${final}.</p>`;
}

/** The held-out sequence's tokens as the heatmaps label them. */
const tokenLabels = (r: LabReport) => r.heldOut.ids.map((id) => (id === r.heldOut.bos ? 'BOS' : String(id)));

function patternsHtml(r: LabReport): string {
  const h = r.heldOut;
  const labels = tokenLabels(r);
  const maps = h.attention.map((a, l) => tableHeatmap(`layer ${l}`, a, labels, { small: true }));
  const reading = r.learned
    ? `Layer ${r.final.previousLayer}'s head puts its weight just below the diagonal: each position looks at the token before it — the previous-token head. Layer ${r.final.inductionLayer}'s head, in the second copy, looks at the stripe k − 1 below the diagonal: from a token to the token that followed its earlier copy — the very token to predict next. That is the induction head; in the first copy it has nothing to find.`
    : `The model has not learned induction in this run, so no head shows the stripe k − 1 below the diagonal that an induction head draws in the second copy.`;
  return `<h2>What the heads attend to</h2><p>Every head after training on one more sequence, k = ${h.k}, drawn apart from the training and evaluation batches: <code>${labels.join(' ')}</code>. Rows are the query position, columns the key it attends to; point at a cell to read the weight.</p>${legendHtml()}<div class="heads">${maps.join('')}</div><p>${reading}</p>`;
}

function knockoutHtml(r: LabReport): string {
  if (r.composition.length === 0)
    return `<h2>Knockout</h2><p>With one layer there is no earlier head to knock out: the induction score has nothing to compose with.</p>`;
  const i = r.final.inductionLayer;
  const last = r.points.at(-1)!;
  const labels = tokenLabels(r);
  const rows = r.composition.map(
    (k) =>
      `<tr><td class="t">layer ${k.knockedOut}</td><td>${fixed(r.final.induction[i]!, 2)} → ${fixed(k.induction[i]!, 2)}</td><td>${fixed(last.repeatedHalf, 3)} → ${fixed(k.repeatedHalf, 3)}</td><td class="t">${k.destroys ? `<span class="ok">composes: the induction head needs it</span>` : 'the induction score survives without it'}</td></tr>`,
  );
  const maps = [
    tableHeatmap(`layer ${i}, trained`, r.heldOut.attention[i]!, labels, { small: true }),
    ...r.heldOut.knockedOut.map((k) =>
      tableHeatmap(`layer ${i}, layer ${k.layer} knocked out`, k.attention[i]!, labels, { small: true }),
    ),
  ];
  const story = r.composition
    .map((k) =>
      k.destroys
        ? `Knocking out layer ${k.knockedOut}'s head (its output set to zero) takes layer ${i}'s induction score from ${fixed(r.final.induction[i]!, 2)} to ${fixed(k.induction[i]!, 2)} and the repeated copy's loss back up to ${fixed(k.repeatedHalf, 3)}: the layer-${i} induction head composes with the layer-${k.knockedOut} previous-token head (score ${fixed(r.final.previous[k.knockedOut]!, 2)}), and its stripe fades from the pattern.`
        : `Knocking out layer ${k.knockedOut}'s head leaves layer ${i}'s induction score at ${fixed(k.induction[i]!, 2)}: the induction score survives without it.`,
    )
    .join(' ');
  return `<h2>Knockout</h2><table class="data"><tr><th class="t">knocked out</th><th>layer ${i} induction score</th><th>repeated-copy loss</th><th class="t"></th></tr>${rows.join('')}</table><div class="heads">${maps.join('')}</div><p>${story}</p>`;
}

export function renderLabHtml(r: LabReport): string {
  return page(
    'microgpt: the induction lab',
    [introHtml(r), lossHtml(r), scoresHtml(r), patternsHtml(r), knockoutHtml(r)].join('\n'),
    {
      hover: 'Point at a chart or a heatmap cell to read its value.',
      style: CHART_STYLE + TABLE_HEATMAP_STYLE,
      script: CHART_SCRIPT + TABLE_HOVER_SCRIPT,
    },
  );
}
